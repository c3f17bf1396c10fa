using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>
/// Keeps every message the app logs (all categories, all levels) with its exception as a console logger writes it
/// (inner exceptions included), so a test can look for secrets in them.
/// </summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages;

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, _messages);

    public void Dispose()
    {
    }

    private sealed class RecordingLogger(string category, ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} {exception}");
    }
}
