using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// Token partitions (issue 21): what <c>AddDPoPTokenPartition()</c> sets for an API request is part of the token's
/// cache key, so each tenant gets and reuses its own token, against a Kestrel token endpoint and API on 127.0.0.1 that
/// issue <c>tenant-{tenant}-{n}</c> tokens.
/// </summary>
[Category("Integration")]
public sealed class TokenPartitionTests
{
    /// <summary>The app's tenant accessor: the tenant of the request being handled.</summary>
    private static readonly AsyncLocal<string?> Tenant = new();

    /// <summary>A token endpoint that issues a token naming the form's <c>tenant</c>, and an API that answers 200.</summary>
    internal static Task<KestrelTestServer> StartServerAsync()
    {
        var issued = 0;
        return KestrelTestServer.StartAsync(async (context, request) =>
        {
            if (request.Uri.AbsolutePath != "/token")
            {
                return;
            }

            var form = System.Web.HttpUtility.ParseQueryString(request.Body!);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"access_token\":\"tenant-{form["tenant"] ?? "none"}-{Interlocked.Increment(ref issued)}\",\"token_type\":\"DPoP\",\"expires_in\":300}}");
        });
    }

    /// <summary>The API client "orders", its token partitioned by tenant as README shows.</summary>
    internal static void AddOrders(IServiceCollection services, KestrelTestServer server, string? privateKeyPem = null) =>
        services.AddHttpClient("orders", c => c.BaseAddress = server.BaseAddress)
            .AddDPoP(o => o.PrivateKey = privateKeyPem)
            .AddDPoPClientCredentialsToken(o =>
            {
                o.TokenEndpoint = new Uri(server.BaseAddress, "token");
                o.ClientId = "orders-app";
                o.ClientSecret = "orders-secret";
            })
            .AddDPoPTokenPartition(partition => partition.Parameters["tenant"] = Tenant.Value!);

    private static ServiceProvider BuildOrders(KestrelTestServer server)
    {
        var services = new ServiceCollection();
        AddOrders(services, server);
        return services.BuildServiceProvider();
    }

    /// <summary>Calls the API for <paramref name="tenant"/> (path <c>/orders/{tenant}</c>), as the handling of that tenant's request would.</summary>
    internal static Task<HttpStatusCode> CallAsync(IServiceProvider services, string tenant) => Task.Run(async () =>
    {
        Tenant.Value = tenant;
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("orders").GetAsync($"orders/{tenant}");
        return response.StatusCode;
    });

    /// <summary>Each API request's tenant (from its path) and the token it carried.</summary>
    internal static (string Tenant, string? Authorization)[] ApiCalls(KestrelTestServer server) =>
        [.. server.Seen.Where(r => r.Uri.AbsolutePath.StartsWith("/orders/", StringComparison.Ordinal)).Select(r => (r.Uri.Segments[^1], r.Authorization))];

    internal static int TokenRequests(KestrelTestServer server) => server.Seen.Count(r => r.Uri.AbsolutePath == "/token");

    [Test]
    public async Task AddDPoPTokenPartition_TwoTenantsConcurrently_EachRequestCarriesItsTenantsToken()
    {
        await using var server = await StartServerAsync();
        using var provider = BuildOrders(server);

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => CallAsync(provider, i % 2 == 0 ? "a" : "b")));
        var requestsAfterConcurrent = TokenRequests(server);
        var later = new[] { await CallAsync(provider, "a"), await CallAsync(provider, "b"), await CallAsync(provider, "a") };

        var calls = ApiCalls(server);
        Assert.Multiple(() =>
        {
            Assert.That(concurrent.Concat(later), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(calls, Has.Length.EqualTo(23));
            Assert.That(calls.Where(c => c.Authorization?.StartsWith($"DPoP tenant-{c.Tenant}-", StringComparison.Ordinal) != true).Select(c => $"{c.Tenant}: {c.Authorization}"), Is.Empty,
                "every request carries its own tenant's token");
            Assert.That(requestsAfterConcurrent, Is.EqualTo(2), "one token request per tenant (single flight per partition)");
            Assert.That(TokenRequests(server), Is.EqualTo(2), "then cache hits");
        });
    }

    [Test]
    public async Task ClientAccessTokens_PartitionedClient_ServesTheDefaultPartition()
    {
        await using var server = await StartServerAsync();
        using var provider = BuildOrders(server);
        var tokens = provider.GetRequiredService<IDPoPClientAccessTokens>();

        await CallAsync(provider, "a");
        var token = await tokens.GetAccessTokenAsync("orders");
        var again = await tokens.GetAccessTokenAsync("orders");

        Assert.Multiple(() =>
        {
            Assert.That(token.AccessToken, Does.StartWith("tenant-none-"), "requested with the client's options alone, no partition value");
            Assert.That(again.AccessToken, Is.EqualTo(token.AccessToken));
            Assert.That(TokenRequests(server), Is.EqualTo(2), "tenant a's token and the default partition's");
        });
    }

    [Test]
    public async Task AddDPoPTokenPartition_ParameterValue_NeverInALogOrASpan()
    {
        const string secret = "s3cr3t-tenant";
        await using var server = await StartServerAsync();
        var logs = new FakeLogCollector();
        var tags = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "DPoP.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (tags)
                {
                    tags.AddRange(activity.TagObjects.Select(t => $"{activity.OperationName} {t.Key}={t.Value}"));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        AddOrders(services, server);
        using var provider = services.BuildServiceProvider();

        var statuses = new[] { await CallAsync(provider, secret), await CallAsync(provider, secret) };

        List<string> spanTags;
        lock (tags)
        {
            spanTags = [.. tags];
        }

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
            // The library's own categories (the test's API path names the tenant, and HttpClient's logging shows paths).
            var ours = logs.GetSnapshot().Where(r => r.Category?.StartsWith("DPoP.Http", StringComparison.Ordinal) == true).ToList();
            Assert.That(ours, Has.Some.Property("Level").EqualTo(LogLevel.Debug), "the token requests were logged");
            Assert.That(ours.Select(r => r.Message), Has.None.Contain("s3cr3t"));
            Assert.That(spanTags, Has.Some.StartWith("dpop.token.acquire"), "the acquisitions were traced");
            Assert.That(spanTags, Has.None.Contain("s3cr3t"));
        });
    }

    [Test]
    public void AddDPoPTokenPartition_ReservedParameter_FailsTheRequestNamingTheRule()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("orders").AddDPoP().AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = new Uri("https://as.example/token");
            o.ClientId = "orders-app";
            o.ClientSecret = "orders-secret";
        }).AddDPoPTokenPartition(partition => partition.Parameters["client_id"] = "other");
        using var provider = services.BuildServiceProvider();

        var ex = Assert.ThrowsAsync<ArgumentException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders").GetAsync(new Uri("https://api.example/orders")));

        Assert.That(ex!.Message, Does.Contain("'client_id' is reserved").And.Contain("'orders'"));
    }
}
