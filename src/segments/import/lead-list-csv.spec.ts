import { AppError } from '../../common/app-error';
import { leadIdsFromCsv } from './lead-list-csv';

const messageOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return `${error.status} ${error.message}`;
    throw error;
  }
  throw new Error('did not throw');
};

describe('leadIdsFromCsv', () => {
  it('reads a single column without a header, skipping blank lines', () => {
    expect(leadIdsFromCsv('u1\nu2\n\nu3\n')).toEqual({ ids: ['u1', 'u2', 'u3'], rows: 3 });
  });

  it('reads the id column by its header, in any of the names exports use', () => {
    expect(leadIdsFromCsv('email,external_id,plan\na@x.io,u1,pro\nb@x.io,u2,free').ids).toEqual(['u1', 'u2']);
    expect(leadIdsFromCsv('Lead ID,x\nl1,1\n').ids).toEqual(['l1']);
    expect(leadIdsFromCsv('userId\nu1\n').ids).toEqual(['u1']);
  });

  it('reads the column asked for, and names the header when it is not there', () => {
    expect(leadIdsFromCsv('id,crm\n1,c1\n2,c2', 'crm').ids).toEqual(['c1', 'c2']);
    expect(messageOf(() => leadIdsFromCsv('id,crm\n1,c1', 'owner'))).toBe(
      '400 column: no column of the CSV header (id, crm) is "owner"',
    );
  });

  it('handles quoting, a byte-order mark, CRLF and short rows as spreadsheets write them', () => {
    const csv = '\uFEFF"userId","note"\r\n"u,1","said ""hi"""\r\nu2\r\n , x\r\n';
    expect(leadIdsFromCsv(csv)).toEqual({ ids: ['u,1', 'u2'], rows: 3 });
  });

  it('refuses several columns with no id header, an empty file and broken quoting, saying why', () => {
    expect(messageOf(() => leadIdsFromCsv('a,b\n1,2'))).toMatch(/^400 body: the CSV file has several columns/);
    expect(messageOf(() => leadIdsFromCsv('\n\n'))).toBe('400 body: the CSV file has no rows');
    expect(messageOf(() => leadIdsFromCsv('id\n"u1\n'))).toMatch(/^400 body: is not valid CSV/);
    expect(messageOf(() => leadIdsFromCsv(`id\n${'x'.repeat(201)}`))).toMatch(/longer than 200 characters/);
  });
});
