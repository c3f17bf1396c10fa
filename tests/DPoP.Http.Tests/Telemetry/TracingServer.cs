using System.Collections.Concurrent;
using System.Security.Cryptography;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.Tests.Telemetry;

/// <summary>
/// A token endpoint and an API on one Kestrel server (127.0.0.1) for the telemetry tests: both check every proof
/// with the independent verifier and demand a nonce first, the API redirects <c>/api/old</c> to <c>/api/new</c>.
/// Everything a span must never show (tokens, nonces, proofs, paths, the query) is collected in <see cref="Secrets"/>.
/// </summary>
internal sealed class TracingServer : IAsyncDisposable
{
    public const string ClientSecret = "tracing-client-secret-5f1c";
    public const string TokenPath = "/oauth2/private-token-path";
    public const string QueryValue = "query-value-8d2e";

    private const string TokenNonce = "as-nonce-A1b2C3d4e5";
    private const string ApiNonce = "rs-nonce-F6g7H8i9j0";

    private readonly KestrelTestServer _server;

    private TracingServer(KestrelTestServer server) => _server = server;

    public Uri TokenEndpoint => new(_server.BaseAddress, TokenPath);

    public Uri ApiBase => new(_server.BaseAddress, "/api/");

    /// <summary>Tokens issued, nonces sent, proofs received, and the paths and query used: none may appear in a span.</summary>
    public ConcurrentBag<string> Secrets { get; } = [ClientSecret, TokenNonce, ApiNonce, TokenPath, "private-token-path", "/api/", "orders/42", QueryValue, "/old", "/new"];

    public int TokenRequests => _server.Seen.Count(r => r.Uri.AbsolutePath == TokenPath);

    public static async Task<TracingServer> StartAsync()
    {
        TracingServer? self = null;
        var server = await KestrelTestServer.StartAsync((context, seen) => self!.HandleAsync(context, seen));
        self = new TracingServer(server);
        return self;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context, SeenRequest seen)
    {
        foreach (var proof in seen.DPoPHeaders)
        {
            Secrets.Add(proof);
        }

        var verified = IndependentProofVerifier.Verify(seen.DPoPHeaders.Single());
        var nonce = verified.HasClaim("nonce") ? verified.Claim("nonce") : null;
        if (seen.Uri.AbsolutePath == TokenPath)
        {
            await TokenAsync(context, seen, nonce);
            return;
        }

        if (nonce != ApiNonce)
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "DPoP error=\"use_dpop_nonce\", algs=\"ES256\"";
            context.Response.Headers["DPoP-Nonce"] = ApiNonce;
            return;
        }

        if (seen.Uri.AbsolutePath == "/api/old")
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = "/api/new";
            return;
        }

        await context.Response.WriteAsync("ok");
    }

    private async Task TokenAsync(HttpContext context, SeenRequest seen, string? nonce)
    {
        var form = System.Web.HttpUtility.ParseQueryString(seen.Body ?? string.Empty);
        if (nonce != TokenNonce)
        {
            context.Response.StatusCode = 400;
            context.Response.Headers["DPoP-Nonce"] = TokenNonce;
            await context.Response.WriteAsJsonAsync(new { error = "use_dpop_nonce" });
            return;
        }

        if (form["client_id"] == "refused-client")
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { error = "invalid_client", error_description = "client authentication failed" });
            return;
        }

        if (form["client_assertion"] is { } assertion)
        {
            Secrets.Add(assertion);
        }

        var token = "at-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        Secrets.Add(token);
        await context.Response.WriteAsJsonAsync(new { access_token = token, token_type = "DPoP", expires_in = 300 });
    }
}
