// Entry of the engine worker thread (bundled to dist/worker.js). The extension host starts it
// lazily through EngineClient; the simulation runs here so a long run never blocks the editor.

import { parentPort } from 'node:worker_threads';
import { describeMachine } from '../../api';
import type { WorkerReply, WorkerRequest, WorkerRequestType, WorkerResults } from './workerProtocol';

type Progress = (message: string, fraction?: number) => void;

async function handle(request: WorkerRequest, _progress: Progress): Promise<WorkerResults[WorkerRequestType]> {
  switch (request.type) {
    case 'machine.describe':
      return describeMachine();
    default: {
      const unknownType: never = request.type;
      throw new Error(`unknown request type ${JSON.stringify(unknownType)}`);
    }
  }
}

const port = parentPort;
if (!port) {
  throw new Error('worker.js must run in a worker_threads Worker (see extension/engineClient.ts)');
}

function reply(message: WorkerReply): void {
  port!.postMessage(message);
}

port.on('message', async (request: WorkerRequest) => {
  const progress: Progress = (message, fraction) => reply({ id: request.id, type: 'progress', message, fraction });
  try {
    reply({ id: request.id, type: 'result', value: await handle(request, progress) });
  } catch (error) {
    const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
    reply({ id: request.id, type: 'error', message, stack });
  }
});
