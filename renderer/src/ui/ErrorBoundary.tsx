import { Alert, Button, Text } from '@mantine/core';
import { Component, type ReactNode } from 'react';

/** A view that throws shows what broke and a way back, instead of taking the whole window down. */
export class ErrorBoundary extends Component<{ children: ReactNode; view: string }, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidUpdate(previous: { view: string }) {
    if (previous.view !== this.props.view && this.state.error) this.setState({ error: null });
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <Alert color="red" role="alert" title={`${this.props.view} failed to show`}>
        <Text size="sm" mb="xs">
          {this.state.error.message}
        </Text>
        <Button size="compact-sm" variant="light" onClick={() => this.setState({ error: null })}>
          Try again
        </Button>
      </Alert>
    );
  }
}
