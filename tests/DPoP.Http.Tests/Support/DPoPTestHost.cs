using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RichardSzalay.MockHttp;

namespace DPoP.Http.Tests.Support;

/// <summary>A DI container with one named DPoP client whose primary handler is a MockHttp server; logs captured at Trace.</summary>
internal sealed class DPoPTestHost : IDisposable
{
    public const string ClientName = "api";

    private readonly ServiceProvider _services;

    public DPoPTestHost(
        Func<SeenRequest, int, HttpResponseMessage> respond,
        Action<DPoPClientOptions>? configure = null,
        Action<IServiceCollection, IHttpClientBuilder>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(LogCollector));
        Mock = MockServer.Create(Seen, respond);
        var builder = collection.AddHttpClient(ClientName, c => c.BaseAddress = new Uri("https://api.example.com/"))
            .ConfigurePrimaryHttpMessageHandler(() => Mock)
            .AddDPoP(configure);
        services?.Invoke(collection, builder);
        _services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    public MockHttpMessageHandler Mock { get; }

    public FakeLoggerProvider LogCollector { get; } = new();

    public IServiceProvider Services => _services;

    public HttpClient CreateClient() => _services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

    public SeenRequest[] Requests => [.. Seen];

    public string AllLogText => string.Join("\n", LogCollector.Collector.GetSnapshot().Select(r => r.Message + " " + r.Exception));

    public void Dispose()
    {
        _services.Dispose();
        LogCollector.Dispose();
        Mock.Dispose();
    }
}
