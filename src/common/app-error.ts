import { HttpStatus } from '@nestjs/common';

/**
 * Every error Nudge raises on purpose: a stable machine-readable code, the HTTP status it
 * maps to, and a message that names what is wrong. Feature modules add their own codes.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: HttpStatus,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
