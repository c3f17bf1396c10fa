using Microsoft.Extensions.Logging;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>Appends the app's log to the file DPOP_WEB_TEST_LOG names (for debugging the tests).</summary>
internal sealed class ProgressLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ProgressLogger(categoryName);

    public void Dispose()
    {
    }

    public static string Path { get; } = Environment.GetEnvironmentVariable("DPOP_WEB_TEST_LOG") ?? "app.log";

    private sealed class ProgressLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Path)
            {
                File.AppendAllText(Path, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)} {exception}{Environment.NewLine}");
            }
        }
    }
}
