/** The codes of the errors workspaces/ raises, as API clients see them in `error`. */
export enum WorkspaceErrorCode {
  Unauthorized = 'UNAUTHORIZED',
}
