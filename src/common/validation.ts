import { HttpStatus } from '@nestjs/common';
import { z } from 'zod';
import { AppError } from './app-error';
import { CommonErrorCode } from './error-codes';

/** `a.b[2].c`: the path of a value inside a request body, as users write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

/** One line per problem, each naming the field: `properties.revenue: expected number, received string`. */
export function describeZodError(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  return error.issues
    .map((issue) => {
      const path = formatPath([...prefix, ...issue.path]);
      const message = / received undefined$/.test(issue.message)
        ? 'is required'
        : issue.message.replace(/^Invalid input: /, '');
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

/** Parses a request body or query, or throws a 400 whose message names every bad field. */
export function parseRequest<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix: readonly PropertyKey[] = [],
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError(CommonErrorCode.ValidationFailed, HttpStatus.BAD_REQUEST, describeZodError(result.error, prefix));
}
