import { dateTime } from '../format.js';
import type { LogRecord } from '../pages/trace-types.js';

/** Log lines as text: time, level, body. Shared by the event's trace logs and the trace page. */
export function LogTable({ logs }: { logs: LogRecord[] }) {
  return (
    <table class="log-table">
      <tbody>
        {logs.map((l) => (
          <tr class={`log-${l.level}`}>
            <td class="when">{dateTime(l.timestamp)}</td>
            <td class="log-level">{l.level}</td>
            <td class="log-body">{l.body}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
