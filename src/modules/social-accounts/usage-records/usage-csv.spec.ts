import { csvCell, csvHeader, csvLine, csvRecord } from './usage-csv';
import { UsageRecordRow } from './usage-record-row';

describe('usage-record CSV', () => {
  it('quotes cells holding quotes, commas or line breaks (RFC 4180) and writes NULL as an empty cell', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvLine(['a', null, 'b'])).toBe('a,,b\r\n');
  });

  it('defuses spreadsheet formulas with one leading apostrophe, reversibly', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-x')).toBe("'-x");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell("'quoted")).toBe("''quoted");
    expect(csvCell('=a,b')).toBe(`"'=a,b"`);
    expect(csvCell('1-2')).toBe('1-2');
  });

  it('starts with a byte order mark and the header', () => {
    expect(csvHeader().startsWith('\ufeffid,account_id,seq,brand_org_id,')).toBe(true);
  });

  it('writes details as canonical JSON and the time both as hashed and for people', () => {
    const row: UsageRecordRow = {
      id: '00000000-0000-4000-8000-000000000001',
      account_id: '00000000-0000-4000-8000-000000000002',
      seq: '7',
      brand_org_id: '00000000-0000-4000-8000-000000000003',
      actor_org_id: null,
      agency_org_id: null,
      actor_user_id: null,
      api_key_id: null,
      action: 'account.updated',
      ip: null,
      request_id: '-starts-with-dash',
      occurred_at_micros: '1768032000123456',
      details: { b: 'x,y', a: 1 },
      prev_hash: '0'.repeat(64),
      hash: 'f'.repeat(64),
    };
    expect(csvRecord(row)).toBe(
      '00000000-0000-4000-8000-000000000001,00000000-0000-4000-8000-000000000002,7,' +
        "00000000-0000-4000-8000-000000000003,,,,,account.updated,,'-starts-with-dash,1768032000123456," +
        `"{""a"":1,""b"":""x,y""}",${'0'.repeat(64)},${'f'.repeat(64)},2026-01-10T08:00:00.123456Z\r\n`,
    );
  });
});
