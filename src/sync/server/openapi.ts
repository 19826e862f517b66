/** `/v1/openapi.json`: the API described from the same zod schemas that validate it. */
import { z } from 'zod';
import { callPageSchema, errorBodySchema, feedbackInputSchema, feedbackListSchema, listQuerySchema, meSchema, uploadResultSchema } from '../../shared/sync';

const json = (schema: z.ZodType): object => ({ content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) } } });
const errors = { default: { description: 'error', ...json(errorBodySchema) } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } };

let cached: object | null = null;

export function openApiDocument(): object {
  cached ??= {
    openapi: '3.1.0',
    info: { title: 'Cadence sync server', version: '1' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/v1/health': { get: { security: [], summary: 'Liveness and database reachability', responses: { 200: { description: 'ok' }, ...errors } } },
      '/v1/me': { get: { summary: 'Who the token belongs to', responses: { 200: { description: 'caller', ...json(meSchema) }, ...errors } } },
      '/v1/calls': {
        get: {
          summary: 'Calls the caller may see (agent: own; lead: team; admin: all), oldest upload first',
          parameters: Object.keys(listQuerySchema.shape).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
          responses: { 200: { description: 'a page', ...json(callPageSchema) }, ...errors },
        },
      },
      '/v1/calls/{id}': {
        put: {
          summary: 'Upload a call archive (.cadence); idempotent on id + sha256, 409 for a different body',
          parameters: [idParam],
          requestBody: { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: { 200: { description: 'already stored', ...json(uploadResultSchema) }, 201: { description: 'stored', ...json(uploadResultSchema) }, ...errors },
        },
        delete: { summary: 'Delete a call (owner or admin)', parameters: [idParam], responses: { 200: { description: 'deleted' }, ...errors } },
      },
      '/v1/calls/{id}/archive': { get: { summary: 'Download the archive', parameters: [idParam], responses: { 200: { description: 'the archive', content: { 'application/vnd.cadence+zip': {} } }, ...errors } } },
      '/v1/calls/{id}/feedback': {
        get: { summary: 'Feedback on a call', parameters: [idParam], responses: { 200: { description: 'feedback', ...json(feedbackListSchema) }, ...errors } },
        post: { summary: 'Add feedback (lead of the call’s team)', parameters: [idParam], requestBody: json(feedbackInputSchema), responses: { 201: { description: 'added' }, ...errors } },
      },
      '/v1/twilio/token': { get: { summary: 'A Twilio Voice access token for softphone mode (identity: the caller’s user name); 404 without Twilio credentials', responses: { 200: { description: '{token}' }, ...errors } } },
      '/v1/feedback': { get: { summary: 'Feedback on every call the caller may see', responses: { 200: { description: 'feedback', ...json(feedbackListSchema) }, ...errors } } },
      '/v1/uploads': { post: { summary: 'Resumable upload (tus 1.0.0; metadata callId); then POST /v1/uploads/{upload}/commit', responses: { 201: { description: 'created' } } } },
      '/v1/uploads/{upload}/commit': { post: { summary: 'Turn a finished resumable upload into a call (idempotent)', responses: { 200: { description: 'already stored', ...json(uploadResultSchema) }, 201: { description: 'stored', ...json(uploadResultSchema) }, ...errors } } },
    },
  };
  return cached;
}
