import { LeadsService } from '../leads/leads.service';

/** A lead (by id, userId or anonymousId) and the leads merged into it: what a `leadId` filter matches. */
export async function leadIdsOf(leads: LeadsService, workspaceId: string, id: string): Promise<string[]> {
  const lead = await leads.findLead(workspaceId, id);
  return [lead.id, ...(lead.mergedLeadIds ?? [])];
}
