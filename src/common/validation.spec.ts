import { HttpStatus } from '@nestjs/common';
import { z } from 'zod';
import { AppError } from './app-error';
import { describeZodError, formatPath, parseRequest } from './validation';

const order = z.object({
  orderId: z.string(),
  revenue: z.number(),
  items: z.array(z.object({ sku: z.string() })).optional(),
});

function zodErrorOf(schema: z.ZodType, value: unknown): z.ZodError {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`expected ${JSON.stringify(value)} to fail`);
  return result.error;
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('formatPath', () => {
  it('is empty for the root', () => {
    expect(formatPath([])).toBe('');
  });

  it('joins object keys with dots', () => {
    expect(formatPath(['properties', 'revenue'])).toBe('properties.revenue');
  });

  it('writes array indexes in brackets', () => {
    expect(formatPath(['batch', 2, 'properties', 'items', 0, 'sku'])).toBe('batch[2].properties.items[0].sku');
  });

  it('starts with a bracket when the root is an array', () => {
    expect(formatPath([0, 'type'])).toBe('[0].type');
  });
});

describe('describeZodError', () => {
  it('names the field and what was wrong with it', () => {
    const sut = describeZodError(zodErrorOf(order, { orderId: 'o-1', revenue: '12' }));

    expect(sut).toBe('revenue: expected number, received string');
  });

  it('says a missing field is required', () => {
    const sut = describeZodError(zodErrorOf(order, { revenue: 12 }));

    expect(sut).toBe('orderId: is required');
  });

  it('lists every problem, separated by semicolons', () => {
    const sut = describeZodError(zodErrorOf(order, { revenue: 12, items: [{ sku: 'a' }, { sku: 7 }] }));

    expect(sut).toBe('orderId: is required; items[1].sku: expected string, received number');
  });

  it('puts the prefix in front of every path', () => {
    const sut = describeZodError(zodErrorOf(order, { orderId: 'o-1' }), ['batch', 3, 'properties']);

    expect(sut).toBe('batch[3].properties.revenue: is required');
  });

  it('gives the bare message when the problem is the value itself', () => {
    const sut = describeZodError(zodErrorOf(z.string(), 42));

    expect(sut).toBe('expected string, received number');
  });
});

describe('parseRequest', () => {
  it('returns the parsed value', () => {
    const sut = parseRequest(z.object({ limit: z.coerce.number() }), { limit: '20' });

    expect(sut).toEqual({ limit: 20 });
  });

  it('throws a 400 VALIDATION_FAILED naming every bad field under the prefix', () => {
    const error = thrownBy(() => parseRequest(order, { revenue: 'lots' }, ['body']));

    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: HttpStatus.BAD_REQUEST,
      message: 'body.orderId: is required; body.revenue: expected number, received string',
    });
  });
});
