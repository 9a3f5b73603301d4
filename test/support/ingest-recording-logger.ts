/** A logger for tests that keeps every line, so tests can assert on what was said (and how often). */
import type { IngestLogger } from '../../ingest-task/src/logger';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

export interface RecordingLogger extends IngestLogger {
  lines: LogLine[];
  /** Lines at `level` whose message contains `text`. */
  find(level: LogLine['level'], text: string): LogLine[];
}

export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, attributes: Record<string, unknown> = {}) => {
    lines.push({ level, message, attributes });
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    find: (level, text) => lines.filter((line) => line.level === level && line.message.includes(text)),
  };
}
