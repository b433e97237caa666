import { HttpStatus } from '@nestjs/common';
import { CsvError, parse } from 'csv-parse/sync';
import { AppError } from '../../common/app-error';
import { CommonErrorCode } from '../../common/error-codes';

/** Header names read as the lead id column, lowercased, without `_`, `-` or spaces. */
const ID_HEADERS = ['leadid', 'id', 'userid', 'externalid', 'anonymousid'];

const normalized = (header: string) => header.toLowerCase().replace(/[\s_-]/g, '');

/**
 * The lead ids in a CSV file, in file order, as a segment's list import reads them (as
 * Customer.io's and Braze's imports do): the column named `column`, else the one headed
 * `leadId`, `id`, `userId`, `external_id` or `anonymousId`, else the only column of a file
 * without a header. Each id is a lead id, userId or anonymousId. Blank cells are skipped.
 */
export function leadIdsFromCsv(text: string, column?: string): { ids: string[]; rows: number } {
  const rows = parseRows(text);
  if (!rows.length) throw invalid('body', 'the CSV file has no rows');
  const header = rows[0].map(normalized);
  const wanted = column === undefined ? ID_HEADERS : [normalized(column)];
  const index = header.findIndex((name) => wanted.includes(name));
  if (index < 0 && column !== undefined)
    throw invalid('column', `no column of the CSV header (${rows[0].join(', ')}) is "${column}"`);
  if (index < 0 && rows.some((row) => row.length > 1))
    throw invalid(
      'body',
      'the CSV file has several columns and none is headed leadId, id, userId, external_id or anonymousId; ' +
        'name the column in the header or with ?column=',
    );
  const [at, data] = index < 0 ? [0, rows] : [index, rows.slice(1)];
  const ids = data.map((row) => (row[at] ?? '').trim()).filter((id) => id !== '');
  const tooLong = ids.find((id) => id.length > 200);
  if (tooLong) throw invalid('body', `the id "${tooLong.slice(0, 40)}…" is longer than 200 characters`);
  return { ids, rows: data.length };
}

function parseRows(text: string): string[][] {
  try {
    const rows: string[][] = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
    return rows;
  } catch (error) {
    if (error instanceof CsvError) throw invalid('body', `is not valid CSV (${error.message})`);
    throw error;
  }
}

const invalid = (field: string, message: string) =>
  new AppError(CommonErrorCode.ValidationFailed, HttpStatus.BAD_REQUEST, `${field}: ${message}`);
