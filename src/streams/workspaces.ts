import { Stream } from './base.js';

export class WorkspacesStream extends Stream {
  readonly name = 'workspaces';
  readonly path = '/v1/workspaces';
  readonly envelopeKey = 'workspaces';
  readonly primaryKey = [['id']];
}
