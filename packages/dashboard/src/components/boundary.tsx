/**
 * Event payloads come from any client; if some shape still breaks a view, show what failed and the
 * raw data instead of a blank page.
 */
import { Component, type ComponentChildren } from 'preact';
import { JsonTree } from './json-tree.js';

export class Boundary extends Component<{ raw?: unknown; children?: ComponentChildren }, { error: Error | null }> {
  override state = { error: null as Error | null };

  override componentDidCatch(error: Error) {
    this.setState({ error });
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div class="error-box" role="alert">
        <p>This part could not be shown: {this.state.error.message}</p>
        {this.props.raw !== undefined && <JsonTree value={this.props.raw} />}
      </div>
    );
  }
}
