import { DomainError, ErrorCode } from '../../platform/errors';
import { loadCommonPasswords, PasswordPolicy } from './password-policy';

describe('PasswordPolicy', () => {
  const policy = new PasswordPolicy();
  const account = { username: 'li_lei', email: 'lei.li@example.com', phone: '13800138000' };

  it('accepts a long password that is not common and not personal', () => {
    expect(policy.problems('Lantern-orchard-73-quietly', account)).toEqual([]);
    expect(policy.problems('correct horse battery staple', account)).toEqual([]);
  });

  it('needs at least 10 characters, counted as people read them, and at most 128', () => {
    expect(policy.problems('Xy7#kq2!m', account)).toEqual(['must be at least 10 characters long']);
    expect(policy.problems('Xy7#kq2!mZ', account)).toEqual([]);
    // Ten Chinese characters are ten characters, though only ten UTF-16 units too; emoji are two units each.
    expect(policy.problems('春眠不觉晓处处闻啼鸟', account)).toEqual([]);
    expect(policy.problems('🔑🔒🔓🗝️🚪🏠', account)).toEqual(['must be at least 10 characters long']);
    expect(
      policy.problems(
        'a'.repeat(129).replace(/a/g, (_, i: number) => String.fromCharCode(97 + (i % 26))),
        account,
      ),
    ).toEqual(['must be at most 128 characters long']);
  });

  it('refuses common passwords whatever their case', () => {
    for (const password of [
      'password1234',
      'Password1234',
      'QWERTYUIOP',
      '1234567890',
      '1qaz2wsx3edc',
      'woaini1314520',
    ]) {
      expect(policy.problems(password, account)).toContainEqual(expect.stringContaining('too common'));
    }
  });

  it('refuses a password containing the username, in any case', () => {
    expect(policy.problems('my-LI_LEI-secret-pass', account)).toEqual(['must not contain the username']);
  });

  it('refuses a password containing the email name or the phone number', () => {
    expect(policy.problems('lei.li-is-my-secret', account)).toEqual(['must not contain the email address']);
    expect(policy.problems('pass-138-0013-8000', account)).toEqual(['must not contain the phone number']);
  });

  it('reports every problem at once', () => {
    expect(policy.problems('li_lei', account)).toEqual([
      'must be at least 10 characters long',
      'must not contain the username',
    ]);
  });

  it('throws weak_password with one field error per problem', () => {
    let error: unknown;
    try {
      policy.assertAcceptable('li_lei', account, 'newPassword');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: ErrorCode.WeakPassword,
      status: 400,
      options: {
        errors: [
          { field: 'newPassword', message: 'must be at least 10 characters long' },
          { field: 'newPassword', message: 'must not contain the username' },
        ],
      },
    });
  });

  it('ships a list of a few thousand common passwords, loaded once', () => {
    const list = loadCommonPasswords();
    expect(list.size).toBeGreaterThan(3000);
    expect(list.has('123456')).toBe(true);
    expect(loadCommonPasswords()).toBe(list);
    for (const entry of list) expect(entry).toBe(entry.toLowerCase());
  });
});
