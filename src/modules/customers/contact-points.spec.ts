import { maskContact, normaliseContact } from './contact-points';

describe('contact points', () => {
  it.each([
    ['13800138000', '+8613800138000'],
    ['+86 138 0013 8000', '+8613800138000'],
    ['0086-138-0013-8000', '+8613800138000'],
    ['8613800138000', '+8613800138000'],
    ['+1 415 555 2671', '+14155552671'],
  ])('normalises the phone %s', (raw, expected) => {
    expect(normaliseContact('phone', raw)).toBe(expected);
  });

  it.each(['12345', '1380013800', '23800138000', '+86 12800138000', 'abc', '+0123456789'])(
    'refuses the phone %s',
    (raw) => expect(normaliseContact('phone', raw)).toBeNull(),
  );

  it('lower-cases emails and refuses malformed ones', () => {
    expect(normaliseContact('email', ' Alice@Example.COM ')).toBe('alice@example.com');
    expect(normaliseContact('email', 'alice@example')).toBeNull();
    expect(normaliseContact('email', 'a b@example.com')).toBeNull();
  });

  it('masks phones and emails', () => {
    expect(maskContact('phone', '+8613800138000')).toBe('138****8000');
    expect(maskContact('email', 'alice@example.com')).toBe('a***@example.com');
    expect(maskContact('douyin', 'dy_alice')).toBe('dy_alice');
  });
});

describe('analytics contact points', () => {
  it('keeps an analytics user id as events carry it (trimmed), never masked', () => {
    expect(normaliseContact('analytics', ' u-1001 ')).toBe('u-1001');
    expect(normaliseContact('analytics', '用户:42@shop')).toBe('用户:42@shop');
    expect(normaliseContact('analytics', 'x'.repeat(128))).toBe('x'.repeat(128));
    expect(maskContact('analytics', 'u-1001')).toBe('u-1001');
  });

  it('refuses an empty, too long or control-character id', () => {
    expect(normaliseContact('analytics', '   ')).toBeNull();
    expect(normaliseContact('analytics', 'x'.repeat(129))).toBeNull();
    expect(normaliseContact('analytics', 'a\u0007b')).toBeNull();
  });
});
