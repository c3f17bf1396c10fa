using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// The number of tokens <c>AddDPoPTokenExchange()</c> keeps is bounded (one per subject token), and the bound never
/// costs an exchange in flight (issue 21: it used to clear the whole cache above 2,048 entries).
/// </summary>
public sealed class TokenExchangeBoundTests
{
    private static readonly HttpRequestOptionsKey<string> SubjectToken = new("subject-token");

    /// <summary>The token endpoint and the API, in process; the exchange of <c>slow</c> waits for <see cref="Release"/>.</summary>
    private sealed class Endpoints : HttpMessageHandler
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _slowExchanges;

        public TaskCompletionSource SlowArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int SlowExchanges => Volatile.Read(ref _slowExchanges);

        public void Release() => _release.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath != "/token")
            {
                return new HttpResponseMessage(HttpStatusCode.OK);
            }

            var subject = System.Web.HttpUtility.ParseQueryString(await request.Content!.ReadAsStringAsync(cancellationToken))["subject_token"];
            if (subject == "slow")
            {
                Interlocked.Increment(ref _slowExchanges);
                SlowArrived.TrySetResult();
                await _release.Task;
            }

            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($"{{\"access_token\":\"exchanged-{subject}\",\"token_type\":\"DPoP\",\"expires_in\":300}}", Encoding.UTF8, "application/json"),
            };
        }
    }

    [Test]
    public async Task AddDPoPTokenExchange_ManyMoreSubjectTokensThanItsBound_TheExchangeInFlightIsStillShared()
    {
        var endpoints = new Endpoints();
        var services = new ServiceCollection();
        services.AddHttpClient("downstream").AddDPoP().AddDPoPTokenExchange(
            o =>
            {
                o.TokenEndpoint = new Uri("https://as.example/token");
                o.ClientId = "api";
                o.ClientAuthentication = DPoPClientAuthenticationMethod.None;
            },
            (request, _) => ValueTask.FromResult(request.Options.TryGetValue(SubjectToken, out var token) ? token : null));
        services.AddHttpClient(DPoPClientRegistry.TokenClientName("downstream")).ConfigurePrimaryHttpMessageHandler(() => endpoints);
        services.AddHttpClient("downstream").ConfigurePrimaryHttpMessageHandler(() => endpoints);
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("downstream");
        async Task<HttpStatusCode> CallAsync(string subject)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example/orders");
            request.Options.Set(SubjectToken, subject);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        var slow = CallAsync("slow");
        await endpoints.SlowArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 2_100; i++)
        {
            Assert.That(await CallAsync($"subject-{i}"), Is.EqualTo(HttpStatusCode.OK));
        }

        var joining = CallAsync("slow");
        endpoints.Release();
        var statuses = await Task.WhenAll(slow, joining).WaitAsync(TimeSpan.FromSeconds(10));
        var entries = ((TokenExchangeTokenProvider)provider.GetRequiredKeyedService<IDPoPAccessTokenProvider>("downstream")).Entries;

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(endpoints.SlowExchanges, Is.EqualTo(1), "the request after the flood joined the exchange in flight");
            Assert.That(entries, Is.LessThanOrEqualTo(DPoPTokenEngine.DefaultMaxEntries), "bounded");
        });
    }
}
