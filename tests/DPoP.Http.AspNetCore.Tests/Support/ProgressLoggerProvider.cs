using Microsoft.Extensions.Logging;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>Writes the app's log to the test run's progress output when DPOP_WEB_TEST_LOG=1 (for debugging the tests).</summary>
internal sealed class ProgressLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ProgressLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class ProgressLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            TestContext.Progress.WriteLine($"app {logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
