export function App(): React.JSX.Element {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>Cadence</h1>
      <p>Real-time call coaching on your own machine.</p>
    </main>
  );
}
