import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

/** The SDK's own HTTP client, sending every request to another origin (the local Twilio sink). */
export class OriginRewritingRequestClient extends twilio.RequestClient {
  private readonly origin: string;

  constructor(apiUrl: string, options?: RequestClient.RequestClientOptions) {
    super(options);
    const url = new URL(apiUrl);
    // Twilio's paths start at the root, so a path here would silently be dropped.
    if (url.pathname !== '/' || url.search) {
      throw new Error(`Twilio API URL must be an origin such as http://127.0.0.1:4010, got ${apiUrl}`);
    }
    this.origin = url.origin;
  }

  override request<TData>(options: RequestClient.RequestOptions<TData>) {
    const { pathname, search } = new URL(options.uri);
    return super.request({ ...options, uri: `${this.origin}${pathname}${search}` });
  }
}

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /** Origin of a Twilio-compatible API; unset means api.twilio.com and friends. */
  apiUrl?: string;
}

/** The real Twilio SDK client, talking to Twilio or, given apiUrl, to that origin. */
export function createTwilioClient({ accountSid, authToken, apiUrl }: TwilioClientOptions): twilio.Twilio {
  return twilio(accountSid, authToken, apiUrl ? { httpClient: new OriginRewritingRequestClient(apiUrl) } : {});
}
