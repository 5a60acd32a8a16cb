import { captionOf } from './douyin.connector';
import { classifyDouyinCode, DouyinApiError, douyinErrorOf } from './douyin-errors';

describe('Douyin errors', () => {
  it('reads the code from data, else from extra, and treats 0 as success', () => {
    expect(douyinErrorOf({ data: { error_code: 0, description: '' }, extra: { error_code: 0 } })).toBeNull();
    expect(douyinErrorOf({ data: { error_code: '2190008', description: 'access_token过期' } })).toEqual({
      code: 2190008,
      description: 'access_token过期',
    });
    expect(douyinErrorOf({ data: {}, extra: { error_code: 2100004, description: '系统繁忙' } })).toEqual({
      code: 2100004,
      description: '系统繁忙',
    });
    expect(douyinErrorOf({ extra: { error_code: 0, sub_error_code: 17, sub_description: 'sub' } })).toEqual({
      code: 17,
      description: 'sub',
    });
    expect(douyinErrorOf(null)).toBeNull();
  });

  it('classifies the documented codes, and unknown ones as rejected', () => {
    expect(classifyDouyinCode(2190008)).toBe('token');
    expect(classifyDouyinCode(2190002)).toBe('token');
    expect(classifyDouyinCode(10008)).toBe('token');
    expect(classifyDouyinCode(10010)).toBe('reauthorize');
    expect(classifyDouyinCode(2100004)).toBe('retry_later');
    expect(classifyDouyinCode(2100005)).toBe('rejected');
    expect(classifyDouyinCode(123456)).toBe('rejected');
  });

  it('retries only what may pass later', () => {
    expect(new DouyinApiError('busy', 'retry_later', 'douyin.2100004').retryable).toBe(true);
    expect(new DouyinApiError('token', 'token', 'douyin.2190008').retryable).toBe(false);
    expect(new DouyinApiError('no', 'rejected', 'douyin.2100005').retryable).toBe(false);
  });

  it('writes the caption from title, body and tags as topics', () => {
    expect(captionOf({ title: ' Spring ', body: 'New in.\n', tags: ['春季 新品', 'sale'] })).toBe(
      'Spring\nNew in.\n#春季新品 #sale',
    );
    expect(captionOf({ title: 'Only a title', body: '', tags: [] })).toBe('Only a title');
  });
});
