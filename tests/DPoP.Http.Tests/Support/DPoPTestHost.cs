using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RichardSzalay.MockHttp;

namespace DPoP.Http.Tests.Support;

/// <summary>
/// A DI container with one named <c>AddDPoP()</c> client over the primary handler a test gives: a MockHttp server
/// for exact exchanges, or <see cref="LoopbackOnly"/> for real servers on 127.0.0.1. Logs are captured at Trace;
/// optionally a <see cref="ResponseTracker"/> sits inside the DPoP handler.
/// </summary>
internal sealed class DPoPTestHost : IDisposable
{
    public const string ClientName = "api";

    private readonly ServiceProvider _services;
    private readonly MockHttpMessageHandler? _mock;
    private HttpClient? _http;

    /// <summary>The client over a MockHttp server at <c>https://api.example.com/</c> that answers with <paramref name="respond"/>.</summary>
    public DPoPTestHost(
        Func<SeenRequest, int, HttpResponseMessage> respond,
        Action<DPoPClientOptions>? configure = null,
        Action<IServiceCollection, IHttpClientBuilder>? services = null)
    {
        var mock = MockServer.Create(Seen, respond);
        _mock = mock;
        _services = Build(() => mock, new Uri("https://api.example.com/"), configure, services, timeout: null, track: false);
    }

    /// <summary>The client over <paramref name="primaryHandler"/> (e.g. <see cref="LoopbackOnly.CreatePrimaryHandler"/>).</summary>
    public DPoPTestHost(
        Func<HttpMessageHandler> primaryHandler,
        Uri? baseAddress = null,
        Action<DPoPClientOptions>? configure = null,
        Action<IServiceCollection, IHttpClientBuilder>? services = null,
        TimeSpan? timeout = null,
        bool track = true)
    {
        _services = Build(primaryHandler, baseAddress, configure, services, timeout, track);
    }

    /// <summary>What the MockHttp server received (empty over other primary handlers).</summary>
    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    public MockHttpMessageHandler Mock => _mock ?? throw new InvalidOperationException("This host has no MockHttp server.");

    public FakeLoggerProvider LogCollector { get; } = new();

    public ResponseTracker Tracker { get; } = new();

    public IServiceProvider Services => _services;

    /// <summary>One client for the test's life; <see cref="CreateClient"/> makes more.</summary>
    public HttpClient Http => _http ??= CreateClient();

    public HttpClient CreateClient() => _services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

    public SeenRequest[] Requests => [.. Seen];

    public string AllLogText => string.Join("\n", LogCollector.Collector.GetSnapshot().Select(r => r.Message + " " + r.Exception));

    public void Dispose()
    {
        _services.Dispose();
        LogCollector.Dispose();
        _mock?.Dispose();
    }

    private ServiceProvider Build(
        Func<HttpMessageHandler> primaryHandler,
        Uri? baseAddress,
        Action<DPoPClientOptions>? configure,
        Action<IServiceCollection, IHttpClientBuilder>? services,
        TimeSpan? timeout,
        bool track)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(LogCollector));
        var builder = collection.AddHttpClient(ClientName, c =>
            {
                c.BaseAddress = baseAddress;
                if (timeout is { } value)
                {
                    c.Timeout = value;
                }
            })
            .ConfigurePrimaryHttpMessageHandler(primaryHandler)
            .AddDPoP(configure);
        if (track)
        {
            builder.AddHttpMessageHandler(Tracker.CreateHandler);
        }

        services?.Invoke(collection, builder);
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
