/** Each port of the local stack: the variable that moves it, and its default. */
export const portSettings = {
  'Nudge API': ['PORT', 3000],
  FerretDB: ['NUDGE_FERRETDB_PORT', 27017],
  'Temporal gRPC': ['NUDGE_TEMPORAL_PORT', 7233],
  'Temporal UI': ['NUDGE_TEMPORAL_UI_PORT', 8233],
  'MailDev SMTP': ['NUDGE_SMTP_PORT', 1025],
  'MailDev UI': ['NUDGE_MAIL_UI_PORT', 1080],
  'SMS sink': ['NUDGE_SMS_SINK_PORT', 4010],
} as const;

export type StackPorts = Record<keyof typeof portSettings, number>;

/** The ports this environment asks for. */
export function stackPorts(env: NodeJS.ProcessEnv = process.env): StackPorts {
  return Object.fromEntries(
    Object.entries(portSettings).map(([what, [variable, fallback]]) => [what, Number(env[variable] ?? fallback)]),
  ) as StackPorts;
}
