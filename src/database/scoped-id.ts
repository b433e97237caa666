/**
 * `_id`s that carry their workspace (`ws:id`): two workspaces may use one id without their
 * documents colliding, and the API shows the id without it.
 */
export const scopedId = (workspaceId: string, id: string) => `${workspaceId}:${id}`;
export const unscopedId = (workspaceId: string, docId: string) => docId.slice(workspaceId.length + 1);
