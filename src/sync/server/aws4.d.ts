/** The part of `aws4` (AWS Signature Version 4 request signing) the S3 archive store uses. */
declare module 'aws4' {
  interface SignableRequest {
    host?: string;
    path?: string;
    method?: string;
    service?: string;
    region?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }
  interface Credentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string | undefined;
  }
  const aws4: {
    /** Adds `Authorization`, `X-Amz-Date` (and `X-Amz-Content-Sha256` for s3) to `request.headers`, in place. */
    sign<T extends SignableRequest>(request: T, credentials: Credentials): T & { headers: Record<string, string> };
  };
  export default aws4;
}
