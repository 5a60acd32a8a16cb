import { AppConfig } from '../../../platform/config/app-config';
import { Environment } from '../../../platform/config/config.schema';
import { MediaUrlPolicy } from './media-url-policy';

const policy = (allowed?: string) =>
  new MediaUrlPolicy(new AppConfig({ MEDIA_FETCH_ALLOWED_HOSTS: allowed } as Environment));

describe('MediaUrlPolicy', () => {
  it.each([
    'http://127.0.0.1/a.mp4',
    'http://10.1.2.3/a.mp4',
    'http://172.20.0.1/a.mp4',
    'http://192.168.1.1/a.mp4',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/a.mp4',
    'http://[::ffff:127.0.0.1]/a.mp4',
    'http://[fd00::1]/a.mp4',
    'http://localhost/a.mp4',
  ])('refuses the internal address of %s', async (url) => {
    await expect(policy().assertFetchable(url)).rejects.toMatchObject({ retryable: false });
  });

  it('allows a public address', async () => {
    await expect(policy().assertFetchable('https://93.184.216.34/a.mp4')).resolves.toBeUndefined();
  });

  it('fetches only the listed hosts when a list is configured, loopback included if listed', async () => {
    const listed = policy('cdn.example.com, 127.0.0.1');
    await expect(listed.assertFetchable('http://127.0.0.1:8080/a.mp4')).resolves.toBeUndefined();
    await expect(listed.assertFetchable('https://CDN.example.com/a.mp4')).resolves.toBeUndefined();
    await expect(listed.assertFetchable('https://93.184.216.34/a.mp4')).rejects.toMatchObject({
      retryable: false,
    });
  });
});
