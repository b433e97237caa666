import { decodeKey, encodeKey } from './field-keys';

describe('encodeKey', () => {
  it('escapes NUL, which BSON refuses in field names, and decodes it back', () => {
    expect(encodeKey('a\u0000b')).not.toContain('\u0000');
    expect(decodeKey(encodeKey('a\u0000b'))).toBe('a\u0000b');
  });

  it('leaves ordinary names alone', () => {
    expect(encodeKey('order_completed')).toBe('order_completed');
  });

  it('escapes dots, which MongoDB reads as paths', () => {
    expect(encodeKey('checkout.step.2')).toBe('checkout%2Estep%2E2');
  });

  it('escapes a leading "$", which MongoDB reads as an operator, but not a later one', () => {
    expect(encodeKey('$set')).toBe('%24set');
    expect(encodeKey('price$')).toBe('price$');
  });

  it('escapes "%" itself, so a name that looks escaped stays apart from the name it looks like', () => {
    expect(encodeKey('a%2Eb')).toBe('a%252Eb');
    expect(encodeKey('a%2Eb')).not.toBe(encodeKey('a.b'));
  });
});

describe('decodeKey', () => {
  it.each([
    'order_completed',
    'checkout.step.2',
    '$set',
    '$$double',
    '100% done',
    'a%2Eb',
    '%24literal',
    '%25',
    '.$.%',
    '',
  ])('restores %j from its encoding', (name) => {
    expect(decodeKey(encodeKey(name))).toBe(name);
  });
});
