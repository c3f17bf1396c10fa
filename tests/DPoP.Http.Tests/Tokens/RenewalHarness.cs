using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// An API client with AddDPoPClientCredentialsToken over MockHttp, a fake clock and a fake logger, for the early
/// renewal tests; its token endpoint answers as the test says.
/// </summary>
internal sealed class RenewalHarness : IDisposable
{
    internal const string ClientSecret = "client-secret-4b8e2f";
    internal static readonly Uri TokenEndpoint = new("https://as.example/token");

    private readonly ServiceProvider _services;
    private int _tokenRequests;

    public RenewalHarness(Func<int, Task<HttpResponseMessage>> tokenEndpoint, DateTimeOffset? start = null)
    {
        Time = new FakeTimeProvider(start ?? new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var endpoints = new Endpoints(async request =>
        {
            if (request.RequestUri == TokenEndpoint)
            {
                return await tokenEndpoint(Interlocked.Increment(ref _tokenRequests));
            }

            ApiAuthorizations.Enqueue(request.Headers.Authorization?.ToString());
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(Logs)));
        services.AddHttpClient("api").AddDPoP().AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = TokenEndpoint;
            o.ClientId = "client-1";
            o.ClientSecret = ClientSecret;
            o.RefreshBeforeExpiry = TimeSpan.FromSeconds(60);
        });
        services.AddHttpClient(DPoPClientRegistry.TokenClientName("api")).ConfigurePrimaryHttpMessageHandler(() => endpoints);
        services.AddHttpClient("api").ConfigurePrimaryHttpMessageHandler(() => endpoints);
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; }

    public FakeLogCollector Logs { get; } = new();

    public ConcurrentQueue<string?> ApiAuthorizations { get; } = new();

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    public ClientCredentialsTokenProvider Provider => (ClientCredentialsTokenProvider)_services.GetRequiredKeyedService<IDPoPAccessTokenProvider>("api");

    /// <summary>Calls the API and returns the Authorization header it received.</summary>
    public async Task<string?> CallAsync(CancellationToken cancellationToken = default)
    {
        var before = ApiAuthorizations.Count;
        using var response = await _services.GetRequiredService<IHttpClientFactory>().CreateClient("api")
            .GetAsync(new Uri("https://api.example/orders"), cancellationToken);
        response.EnsureSuccessStatusCode();
        return ApiAuthorizations.Skip(before).Last();
    }

    /// <summary>Waits until a renewal running in the background has stored its result or its failure.</summary>
    public Task SettledAsync() => Provider.WhenRenewalSettled.WaitAsync(TimeSpan.FromSeconds(10));

    public List<FakeLogRecord> TokenLogs(LogLevel level) =>
        Logs.GetSnapshot().Where(r => r.Category == "DPoP.Http.Tokens" && r.Level == level).ToList();

    public void Dispose() => _services.Dispose();

    /// <summary>The token endpoint and the API; a responder that throws is a network error.</summary>
    internal sealed class Endpoints(Func<HttpRequestMessage, Task<HttpResponseMessage>> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => respond(request);
    }

    internal static Task<HttpResponseMessage> Token(string token) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
    {
        Content = new StringContent($"{{\"access_token\":\"{token}\",\"token_type\":\"DPoP\",\"expires_in\":300}}", Encoding.UTF8, "application/json"),
    });

    internal static Task<HttpResponseMessage> Unavailable() => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
    {
        Content = new StringContent("{\"error\":\"temporarily_unavailable\"}", Encoding.UTF8, "application/json"),
    });
}
