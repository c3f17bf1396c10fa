using System.Net;
using DPoP.Http.Tests.Support;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Tests.Fleet;

/// <summary>
/// One app instance of a fleet: its own service provider, HybridCache (own L1) over the shared Redis as L2, and an
/// API client with <c>AddDPoP()</c> + <c>AddDPoPClientCredentialsToken()</c>, as README's "Running many instances" registers them.
/// </summary>
internal sealed class FleetInstance : IDisposable
{
    public const string RedisInstanceName = "fleet-tests:";

    private readonly ServiceProvider _services;

    public FleetInstance(DemoServerHost server, RedisServer redis, string? privateKeyPem, TimeSpan? sharedCacheTimeout = null, TimeSpan? refreshBeforeExpiry = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(Logs)));
        services.AddHybridCache();
        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = redis.Configuration;
            o.InstanceName = RedisInstanceName;
        });
        services.AddHttpClient("api", c => c.BaseAddress = server.ApiBaseAddress)
            .AddDPoP(o => o.PrivateKey = privateKeyPem)
            .AddDPoPClientCredentialsToken(o =>
            {
                o.TokenEndpoint = server.TokenEndpoint;
                o.ClientId = "demo-client";
                o.ClientSecret = "demo-secret";
                o.Scope = "orders.read";
                if (refreshBeforeExpiry is { } margin)
                {
                    o.RefreshBeforeExpiry = margin;
                }

                if (sharedCacheTimeout is { } timeout)
                {
                    o.SharedCacheTimeout = timeout;
                }
            });
        _services = services.BuildServiceProvider();
        Counts = new TokenCounts(_services);
    }

    /// <summary>This instance's token requests and shared-cache hits, from its metrics.</summary>
    public TokenCounts Counts { get; }

    public FakeLogCollector Logs { get; } = new();

    public ClientCredentialsTokenProvider TokenProvider => (ClientCredentialsTokenProvider)_services.GetRequiredKeyedService<IDPoPAccessTokenProvider>("api");

    public DPoPSharedTokenCache SharedCache => _services.GetRequiredService<DPoPSharedTokenCache>();

    public HybridCache HybridCache => _services.GetRequiredService<HybridCache>();

    public HttpClient Api => _services.GetRequiredService<IHttpClientFactory>().CreateClient("api");

    /// <summary>The token the instance would send now (its cached one, or one it renews).</summary>
    public async Task<string> CurrentTokenAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");
        return (await TokenProvider.GetAccessTokenAsync(request, CancellationToken.None))!;
    }

    /// <summary>Drops the instance's token, as a resource server's <c>invalid_token</c> answer does, so the next request renews.</summary>
    public async Task DropTokenAsync() => await TokenProvider.OnAccessTokenRejectedAsync(await CurrentTokenAsync(), CancellationToken.None);

    /// <summary>One API call; true for 200.</summary>
    public async Task<bool> CallApiAsync()
    {
        try
        {
            using var response = await Api.GetAsync(new Uri("orders", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or DPoPTokenException or TaskCanceledException)
        {
            TestContext.Out.WriteLine($"API call failed: {ex.GetType().Name}: {ex.Message}");
            return false;
        }
    }

    /// <summary>The Redis key of this instance's token entry, for a key with <paramref name="jwkThumbprint"/>.</summary>
    public string RedisKey(string jwkThumbprint) => RedisInstanceName + HybridCacheKey(jwkThumbprint);

    /// <summary>The HybridCache key of this instance's token entry, for a key with <paramref name="jwkThumbprint"/>.</summary>
    public string HybridCacheKey(string jwkThumbprint) =>
        DPoPTokenCacheKey.ClientCredentials(_services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<DPoPTokenClientOptions>>().Get("api"), jwkThumbprint);

    public int Warnings(int eventId) => Logs.GetSnapshot().Count(r => r.Id.Id == eventId);

    public static string CnfJkt(string accessToken)
    {
        using var payload = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(accessToken.Split('.')[1]));
        return payload.RootElement.GetProperty("cnf").GetProperty("jkt").GetString()!;
    }

    public void Dispose()
    {
        Counts.Dispose();
        _services.Dispose();
    }
}
