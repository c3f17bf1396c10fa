using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace DPoP.Http.Tests.Telemetry;

/// <summary>
/// The <c>DPoP.Http</c> spans as an app's OpenTelemetry exporter receives them (the SDK's in-memory exporter):
/// names, attributes, parent/child links (with .NET's own <c>System.Net.Http</c> spans beneath ours), and that no
/// token, nonce, proof, secret, path or query appears in any of them.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public sealed class TracingTests
{
    private static readonly ActivitySource TestSource = new("DPoP.Http.Tests.Tracing");

    private static readonly string[] OurSpanNames = ["dpop.token.acquire", "dpop.token.request", "dpop.token.revoke", "dpop.nonce_retry", "dpop.redirect"];

    private static ServiceProvider Build(TracingServer server, Action<DPoPTokenClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("orders", c => c.BaseAddress = server.ApiBase)
            .AddDPoP()
            .AddDPoPClientCredentialsToken(o =>
            {
                o.TokenEndpoint = server.TokenEndpoint;
                o.ClientId = "tracing-client";
                o.ClientSecret = TracingServer.ClientSecret;
                configure?.Invoke(o);
            });
        return services.BuildServiceProvider();
    }

    /// <summary>Runs <paramref name="act"/> under a root span and returns every span of its trace, in start order.</summary>
    private static async Task<(Activity Root, List<Activity> Spans)> TraceAsync(Func<Task> act)
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("DPoP.Http", "System.Net.Http", TestSource.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(exported)
            .Build();
        Activity root;
        using (root = TestSource.StartActivity("test")!)
        {
            await act();
        }

        tracing.ForceFlush();
        List<Activity> spans;
        lock (exported)
        {
            spans = [.. exported.Where(a => a.TraceId == root.TraceId && a != root).OrderBy(a => a.StartTimeUtc)];
        }

        return (root, spans);
    }

    private static List<Activity> Named(List<Activity> spans, string name) => [.. spans.Where(a => a.OperationName == name && a.Source.Name == "DPoP.Http")];

    private static List<Activity> ChildrenOf(List<Activity> spans, Activity parent) => [.. spans.Where(a => a.ParentSpanId == parent.SpanId)];

    private static bool IsHttpSpan(Activity activity) => activity.Source.Name == "System.Net.Http";

    private static object? Tag(Activity activity, string name) => activity.GetTagItem(name);

    [Test]
    public async Task FirstRequest_TracesAcquireTokenRequestAndNonceRetries_AsParentAndChildren()
    {
        await using var server = await TracingServer.StartAsync();
        using var services = Build(server);
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        var (root, spans) = await TraceAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri($"orders/42?q={TracingServer.QueryValue}", UriKind.Relative));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });

        var acquire = Named(spans, "dpop.token.acquire").Single();
        var request = Named(spans, "dpop.token.request").Single();
        var retries = Named(spans, "dpop.nonce_retry");
        var tokenRetry = retries.Single(r => r.ParentSpanId == request.SpanId);
        var apiRetry = retries.Single(r => r.ParentSpanId == root.SpanId);
        var port = server.TokenEndpoint.Port;
        Assert.Multiple(() =>
        {
            Assert.That(acquire.ParentSpanId, Is.EqualTo(root.SpanId), "the token is acquired for the app's request");
            Assert.That(Tag(acquire, "dpop.client"), Is.EqualTo("orders"));
            Assert.That(Tag(acquire, "dpop.grant_type"), Is.EqualTo("client_credentials"));
            Assert.That(Tag(acquire, "dpop.token.cache_hit"), Is.EqualTo(false));
            Assert.That(Tag(acquire, "dpop.outcome"), Is.EqualTo("success"));
            Assert.That(Tag(acquire, "server.address"), Is.EqualTo("127.0.0.1"));
            Assert.That(Tag(acquire, "server.port"), Is.EqualTo(port));

            Assert.That(request.ParentSpanId, Is.EqualTo(acquire.SpanId), "the token request is part of the acquisition");
            Assert.That(Tag(request, "dpop.grant_type"), Is.EqualTo("client_credentials"));
            Assert.That(Tag(request, "dpop.outcome"), Is.EqualTo("success"));
            Assert.That(Tag(request, "dpop.token.dpop_bound"), Is.EqualTo(true));
            Assert.That(request.Status, Is.Not.EqualTo(ActivityStatusCode.Error));

            // The token endpoint's nonce challenge: first POST under the token request, the resend under its retry span.
            Assert.That(ChildrenOf(spans, request).Count(IsHttpSpan), Is.EqualTo(1), "the first attempt");
            Assert.That(Tag(tokenRetry, "dpop.challenge.source"), Is.EqualTo("authorization_server"));
            Assert.That(Tag(tokenRetry, "http.request.method"), Is.EqualTo("POST"));
            Assert.That(Tag(tokenRetry, "http.response.status_code"), Is.EqualTo(200));
            Assert.That(ChildrenOf(spans, tokenRetry).Count(IsHttpSpan), Is.EqualTo(1), "the resend");

            // The API's nonce challenge, retried under a span of the app's request.
            Assert.That(Tag(apiRetry, "dpop.client"), Is.EqualTo("orders"));
            Assert.That(Tag(apiRetry, "dpop.challenge.source"), Is.EqualTo("resource_server"));
            Assert.That(Tag(apiRetry, "http.request.method"), Is.EqualTo("GET"));
            Assert.That(Tag(apiRetry, "http.response.status_code"), Is.EqualTo(200));
            Assert.That(ChildrenOf(spans, apiRetry).Count(IsHttpSpan), Is.EqualTo(1));
            Assert.That(ChildrenOf(spans, root).Count(IsHttpSpan), Is.EqualTo(1), "the API's first attempt (401)");
        });
        AssertNoSecrets(spans, server);
    }

    [Test]
    public async Task CachedToken_AcquireSpanSaysCacheHit_AndNoTokenRequest()
    {
        await using var server = await TracingServer.StartAsync();
        using var services = Build(server);
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        (await http.GetAsync(new Uri("orders/42", UriKind.Relative))).Dispose();

        var (root, spans) = await TraceAsync(async () => (await http.GetAsync(new Uri("orders/42", UriKind.Relative))).Dispose());

        var acquire = Named(spans, "dpop.token.acquire").Single();
        Assert.Multiple(() =>
        {
            Assert.That(Tag(acquire, "dpop.token.cache_hit"), Is.EqualTo(true));
            Assert.That(Tag(acquire, "dpop.outcome"), Is.EqualTo("success"));
            Assert.That(acquire.ParentSpanId, Is.EqualTo(root.SpanId));
            Assert.That(Named(spans, "dpop.token.request"), Is.Empty);
            Assert.That(Named(spans, "dpop.nonce_retry"), Is.Empty, "the nonce is cached too");
            Assert.That(server.TokenRequests, Is.EqualTo(2), "the challenge and the token, before the traced request");
        });
        AssertNoSecrets(spans, server);
    }

    [Test]
    public async Task Redirect_TracedAsAHopSpan_WithTheHopsHttpSpanBeneath()
    {
        await using var server = await TracingServer.StartAsync();
        using var services = Build(server);
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        (await http.GetAsync(new Uri("orders/42", UriKind.Relative))).Dispose();

        var (root, spans) = await TraceAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri("old", UriKind.Relative));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });

        var hop = Named(spans, "dpop.redirect").Single();
        Assert.Multiple(() =>
        {
            Assert.That(hop.ParentSpanId, Is.EqualTo(root.SpanId));
            Assert.That(Tag(hop, "dpop.client"), Is.EqualTo("orders"));
            Assert.That(Tag(hop, "dpop.redirect.status_code"), Is.EqualTo(307));
            Assert.That(Tag(hop, "dpop.redirect.hop"), Is.EqualTo(1));
            Assert.That(Tag(hop, "dpop.redirect.cross_origin"), Is.EqualTo(false));
            Assert.That(Tag(hop, "http.request.method"), Is.EqualTo("GET"));
            Assert.That(Tag(hop, "http.response.status_code"), Is.EqualTo(200));
            Assert.That(Tag(hop, "server.address"), Is.EqualTo("127.0.0.1"));
            Assert.That(ChildrenOf(spans, hop).Count(IsHttpSpan), Is.EqualTo(1), "the hop's own request");
            Assert.That(ChildrenOf(spans, root).Count(IsHttpSpan), Is.EqualTo(1), "the first request, answered 307");
        });
        AssertNoSecrets(spans, server);
    }

    [Test]
    public async Task RefusedClient_AcquireAndTokenRequestSpansFail_WithTheOAuthErrorAsErrorType()
    {
        await using var server = await TracingServer.StartAsync();
        using var services = Build(server, o =>
        {
            o.ClientId = "refused-client";
            o.ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretPost;
        });
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        var (_, spans) = await TraceAsync(() =>
            Assert.ThatAsync(() => http.GetAsync(new Uri("orders/42", UriKind.Relative)), Throws.InstanceOf<DPoPTokenException>()));

        var acquire = Named(spans, "dpop.token.acquire").Single();
        var request = Named(spans, "dpop.token.request").Single();
        Assert.Multiple(() =>
        {
            foreach (var span in new[] { acquire, request })
            {
                Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Error), span.OperationName);
                Assert.That(span.StatusDescription, Is.EqualTo("invalid_client"), span.OperationName);
                Assert.That(Tag(span, "error.type"), Is.EqualTo("invalid_client"), span.OperationName);
                Assert.That(Tag(span, "dpop.outcome"), Is.EqualTo("failure"), span.OperationName);
            }

            Assert.That(request.ParentSpanId, Is.EqualTo(acquire.SpanId));
            Assert.That(spans.SelectMany(s => s.Events), Is.Empty, "no exception events: their messages may quote the server");
        });
        AssertNoSecrets(spans, server);
    }

    [Test]
    public async Task PrivateKeyJwt_TokenEndpointResend_TracedAsNonceRetryOfTheTokenRequest()
    {
        await using var server = await TracingServer.StartAsync();
        using var assertionKey = DPoPKey.Generate();
        using var services = Build(server, o =>
        {
            o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
            o.ClientSecret = null;
            o.ClientAssertionKey = assertionKey.PrivateKeyPem;
        });
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        var (_, spans) = await TraceAsync(async () => (await http.GetAsync(new Uri("orders/42", UriKind.Relative))).Dispose());

        var request = Named(spans, "dpop.token.request").Single();
        var resend = Named(spans, "dpop.nonce_retry").Single(r => r.ParentSpanId == request.SpanId);
        Assert.Multiple(() =>
        {
            Assert.That(Tag(request, "dpop.outcome"), Is.EqualTo("success"));
            Assert.That(Tag(resend, "dpop.challenge.source"), Is.EqualTo("authorization_server"));
            Assert.That(Tag(resend, "http.response.status_code"), Is.EqualTo(200));
            Assert.That(ChildrenOf(spans, resend).Count(IsHttpSpan), Is.EqualTo(1), "the resend with a new assertion");
            Assert.That(ChildrenOf(spans, request).Count(IsHttpSpan), Is.EqualTo(1), "the first attempt");
        });
        AssertNoSecrets(spans, server);
    }

    [Test]
    public async Task Revocation_TracedAsRevokeSpan()
    {
        await using var server = await TracingServer.StartAsync();
        using var key = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = new SocketsHttpHandler() });
        var client = new DPoPTokenClient(http, new DPoPTokenClientOptions
        {
            TokenEndpoint = server.TokenEndpoint,
            RevocationEndpoint = new Uri(server.ApiBase, "revoke"),
            ClientId = "tracing-client",
            ClientSecret = TracingServer.ClientSecret,
        })
        { Name = "revoker" };

        var (root, spans) = await TraceAsync(() => client.RevokeTokenAsync("refresh-token-to-revoke-3b9a", "refresh_token"));

        var revoke = Named(spans, "dpop.token.revoke").Single();
        server.Secrets.Add("refresh-token-to-revoke-3b9a");
        Assert.Multiple(() =>
        {
            Assert.That(revoke.ParentSpanId, Is.EqualTo(root.SpanId));
            Assert.That(Tag(revoke, "dpop.client"), Is.EqualTo("revoker"));
            Assert.That(Tag(revoke, "dpop.outcome"), Is.EqualTo("success"));
        });
        AssertNoSecrets(spans, server);
    }

    [Test]
    public async Task UnnamedTokenClient_SpansCarryNoClientTag()
    {
        await using var server = await TracingServer.StartAsync();
        using var key = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = new SocketsHttpHandler() });
        var client = new DPoPTokenClient(http, new DPoPTokenClientOptions
        {
            TokenEndpoint = server.TokenEndpoint,
            ClientId = "tracing-client",
            ClientSecret = TracingServer.ClientSecret,
        });

        var (_, spans) = await TraceAsync(() => client.RequestClientCredentialsTokenAsync());

        var ours = spans.Where(s => s.Source.Name == "DPoP.Http").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ours.Select(s => s.OperationName), Is.EquivalentTo(new[] { "dpop.token.request", "dpop.nonce_retry" }));
            Assert.That(ours.Select(s => s.GetTagItem("dpop.client")), Is.All.Null, "no name, no tag (not an empty one)");
        });
        AssertNoSecrets(spans, server);
    }

    /// <summary>Every name, attribute, status, event and link of our spans is free of anything secret, path or query.</summary>
    private static void AssertNoSecrets(List<Activity> spans, TracingServer server)
    {
        var ours = spans.Where(s => s.Source.Name == "DPoP.Http").ToList();
        Assert.That(ours, Is.Not.Empty);
        var secrets = server.Secrets.ToArray();
        foreach (var span in ours)
        {
            Assert.That(OurSpanNames, Does.Contain(span.OperationName));
            var texts = new List<string> { span.OperationName, span.DisplayName, span.StatusDescription ?? string.Empty };
            texts.AddRange(span.TagObjects.Select(t => $"{t.Key}={t.Value}"));
            texts.AddRange(span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name} {t.Key}={t.Value}").Append(e.Name)));
            texts.AddRange(span.Baggage.Select(b => $"{b.Key}={b.Value}"));
            foreach (var text in texts)
            {
                foreach (var secret in secrets)
                {
                    Assert.That(text, Does.Not.Contain(secret), $"span {span.OperationName}");
                }
            }
        }
    }
}
