import { AppError } from '../common/app-error';
import { LeadRecord } from '../leads/leads.repository';
import { LeadsService } from '../leads/leads.service';

export const isLeadNotFound = (error: unknown) => error instanceof AppError && error.code === 'LEAD_NOT_FOUND';

/**
 * The lead a journey step acts for, or null when it never existed: the step still records
 * its outcome rather than failing the run over a lead nobody can follow up anyway.
 */
export async function findLeadOrNull(leads: LeadsService, workspaceId: string, id: string): Promise<LeadRecord | null> {
  try {
    return await leads.findLead(workspaceId, id);
  } catch (error) {
    if (isLeadNotFound(error)) return null;
    throw error;
  }
}

/** A lead (by id, userId or anonymousId) and the leads merged into it: what a `leadId` filter matches. */
export async function leadIdsOf(leads: LeadsService, workspaceId: string, id: string): Promise<string[]> {
  const lead = await leads.findLead(workspaceId, id);
  return [lead.id, ...(lead.mergedLeadIds ?? [])];
}
