// VS Code client for the mtree language server (`mtc lsp`, LANGUAGE.md section 9).
//
// The server is the `mtc` executable named by the `mtree.server.path` setting
// (default: `mtc` on PATH), started with `lsp` (plus `mtree.server.extraArgs`)
// and spoken to over stdio.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client = null;
let output = null;

function serverOptions() {
  const config = vscode.workspace.getConfiguration('mtree');
  const command = (config.get('server.path') || 'mtc').trim() || 'mtc';
  const extra = config.get('server.extraArgs') || [];
  const run = {
    command,
    args: ['lsp', ...extra],
    transport: TransportKind.stdio,
    options: { env: process.env },
  };
  return { run, debug: run };
}

function clientOptions() {
  return {
    documentSelector: [
      { scheme: 'file', language: 'mtree' },
      { scheme: 'untitled', language: 'mtree' },
    ],
    outputChannel: output,
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.mtree'),
    },
  };
}

async function startClient() {
  const options = serverOptions();
  client = new LanguageClient('mtree', 'mtree language server', options, clientOptions());
  try {
    await client.start();
  } catch (err) {
    const c = client;
    client = null;
    if (c) await c.dispose().catch(() => {});
    vscode.window.showErrorMessage(
      `mtree: could not start the language server \`${options.run.command} lsp\` ` +
        `(${err && err.message ? err.message : err}). ` +
        'Install mtc or set "mtree.server.path".'
    );
  }
}

async function stopClient() {
  if (!client) return;
  const c = client;
  client = null;
  try {
    await c.stop();
  } catch (_) {
    // the server may already be gone
  }
}

async function activate(context) {
  output = vscode.window.createOutputChannel('mtree');
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand('mtree.restartServer', async () => {
      await stopClient();
      await startClient();
    })
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('mtree.server')) {
        await stopClient();
        await startClient();
      }
    })
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate };
