/**
 * An HTTP server on 127.0.0.1 that answers what moto_server lacks, the Bedrock control plane's
 * model catalogue (GetFoundationModelAvailability, GetInferenceProfile) and Service Quotas
 * (ListServiceQuotas, ListAWSDefaultServiceQuotas), in the wire format of the AWS APIs, and
 * forwards every other request to a moto_server. The real AWS SDK parses its answers, so
 * preflight's model and quota checks run end to end. Its answers come from `state`, which tests edit.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelAvailability {
  readonly regionAvailability?: 'AVAILABLE' | 'NOT_AVAILABLE';
  readonly authorizationStatus?: 'AUTHORIZED' | 'NOT_AUTHORIZED';
  readonly entitlementAvailability?: 'AVAILABLE' | 'NOT_AVAILABLE';
  readonly agreementStatus?: 'AVAILABLE' | 'PENDING' | 'NOT_AVAILABLE' | 'ERROR';
}

export interface StandInState {
  /** `<region>/<modelId>` -> availability; absent models are fully available. */
  availability: Record<string, ModelAvailability>;
  /**
   * Inference profile id -> regions it routes to (absent: 404), and the source regions it can be
   * called from (absent: any). A geographic profile is offered in the source regions of its own
   * geography only (Bedrock User Guide, "Supported Regions and models for inference profiles"):
   * asked from another region, the stand-in answers 404 as for an unknown profile.
   */
  profiles: Record<string, { foundationModel: string; regions: string[]; sourceRegions?: string[] }>;
  /** API Gateway quotas by name (absent: not listed). */
  quotas: Record<string, number>;
}

export interface BedrockStandIn {
  readonly endpoint: string;
  readonly state: StandInState;
  close(): Promise<void>;
}

const regionOf = (req: IncomingMessage) => /Credential=[^/]+\/\d+\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'us-east-1';

function json(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
  res.end(JSON.stringify(body));
}

export async function startBedrockStandIn(motoEndpoint: string): Promise<BedrockStandIn> {
  const state: StandInState = { availability: {}, profiles: {}, quotas: {} };
  const moto = new URL(motoEndpoint);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = decodeURIComponent((req.url ?? '').split('?')[0]);
      const target = String(req.headers['x-amz-target'] ?? '');
      const availability = /^\/foundation-model-availability\/(.+)$/.exec(url);
      const profile = /^\/inference-profiles\/(.+)$/.exec(url);
      if (req.method === 'GET' && availability) {
        const a = state.availability[`${regionOf(req)}/${availability[1]}`] ?? {};
        return json(res, 200, {
          modelId: availability[1],
          regionAvailability: a.regionAvailability ?? 'AVAILABLE',
          authorizationStatus: a.authorizationStatus ?? 'AUTHORIZED',
          entitlementAvailability: a.entitlementAvailability ?? 'AVAILABLE',
          agreementAvailability: { status: a.agreementStatus ?? 'AVAILABLE' },
        });
      }
      if (req.method === 'GET' && profile) {
        const p = state.profiles[profile[1]];
        if (!p || (p.sourceRegions !== undefined && !p.sourceRegions.includes(regionOf(req)))) return json(res, 404, { message: `inference profile ${profile[1]} not found` }, 'ResourceNotFoundException');
        return json(res, 200, {
          inferenceProfileName: profile[1],
          inferenceProfileId: profile[1],
          inferenceProfileArn: `arn:aws:bedrock:${regionOf(req)}:123456789012:inference-profile/${profile[1]}`,
          status: 'ACTIVE',
          type: 'SYSTEM_DEFINED',
          models: p.regions.map((r) => ({ modelArn: `arn:aws:bedrock:${r}::foundation-model/${p.foundationModel}` })),
        });
      }
      if (target === 'ServiceQuotasV20190624.ListServiceQuotas' || target === 'ServiceQuotasV20190624.ListAWSDefaultServiceQuotas') {
        const applied = target.endsWith('ListServiceQuotas');
        return json(res, 200, { Quotas: applied ? Object.entries(state.quotas).map(([QuotaName, Value], i) => ({ ServiceCode: 'apigateway', QuotaCode: `L-TEST${i}`, QuotaName, Value })) : [] });
      }
      const forward = httpRequest({ host: moto.hostname, port: moto.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', (err) => json(res, 502, { message: err.message }));
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, state, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
