using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// A DI container with one <c>AddDPoP()</c> client for real servers on 127.0.0.1: every connection goes to loopback
/// (<see cref="LoopbackOnly"/>), a <see cref="ResponseTracker"/> sits inside the DPoP handler, logs are captured at Trace.
/// </summary>
internal sealed class KestrelClient : IDisposable
{
    public const string Name = "api";

    private readonly ServiceProvider _services;

    public KestrelClient(
        Uri? baseAddress = null,
        Action<DPoPClientOptions>? configure = null,
        Action<IServiceCollection, IHttpClientBuilder>? services = null,
        TimeSpan? timeout = null,
        bool track = true)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        var builder = collection.AddHttpClient(Name, c =>
            {
                c.BaseAddress = baseAddress;
                if (timeout is { } value)
                {
                    c.Timeout = value;
                }
            })
            .ConfigurePrimaryHttpMessageHandler(LoopbackOnly.CreatePrimaryHandler)
            .AddDPoP(configure);
        if (track)
        {
            builder.AddHttpMessageHandler(Tracker.CreateHandler);
        }

        services?.Invoke(collection, builder);
        _services = collection.BuildServiceProvider();
        Http = _services.GetRequiredService<IHttpClientFactory>().CreateClient(Name);
    }

    public HttpClient Http { get; }

    public ResponseTracker Tracker { get; } = new();

    public FakeLoggerProvider Logs { get; } = new();

    public IServiceProvider Services => _services;

    public string AllLogText => string.Join("\n", Logs.Collector.GetSnapshot().Select(r => r.Message + " " + r.Exception));

    public void Dispose()
    {
        _services.Dispose();
        Logs.Dispose();
    }
}
