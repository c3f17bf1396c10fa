using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using DPoP.Http.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.Tests.Support;

/// <summary>
/// An authorization server and a resource server on 127.0.0.1 over HTTPS, written for these tests with
/// Microsoft.IdentityModel only: the token endpoint listens on its own port, requires a TLS client certificate and
/// accepts only <see cref="ClientCertificate"/>'s (RFC 8705 <c>tls_client_auth</c>: the form names the client, the
/// certificate authenticates it), checks the DPoP proof independently and issues DPoP-bound tokens; the API, on
/// another port without client certificates, accepts only those tokens with a proof of the same key.
/// </summary>
internal sealed class MutualTlsTokenServer : IAsyncDisposable
{
    public const string ClientId = "orders-worker";

    private readonly LoopbackKestrel _host;
    private readonly ConcurrentDictionary<string, string> _issued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _seenJtis = new(StringComparer.Ordinal);
    private int _unavailable;
    private int _apiCallsAccepted;

    private MutualTlsTokenServer(LoopbackKestrel host, X509Certificate2 serverCertificate, X509Certificate2 clientCertificate, int tokenPort, int apiPort)
    {
        _host = host;
        ServerCertificate = serverCertificate;
        ClientCertificate = clientCertificate;
        TokenEndpoint = new Uri($"https://127.0.0.1:{tokenPort}/token");
        ApiBaseAddress = new Uri($"https://127.0.0.1:{apiPort}/");
    }

    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The one client certificate the token endpoint accepts.</summary>
    public X509Certificate2 ClientCertificate { get; }

    public Uri TokenEndpoint { get; }

    public Uri ApiBaseAddress { get; }

    /// <summary>The <c>jti</c> of every proof that reached the token endpoint, in order (503 answers included).</summary>
    public ConcurrentQueue<string> TokenRequestJtis { get; } = new();

    /// <summary>Why the server refused a request, if it did (for test messages).</summary>
    public ConcurrentQueue<string> Rejections { get; } = new();

    public int TokensIssued => _issued.Count;

    public int ApiCallsAccepted => Volatile.Read(ref _apiCallsAccepted);

    /// <summary>Answer this many token requests with <c>503</c> before answering normally.</summary>
    public void FailNextTokenRequests(int count) => Volatile.Write(ref _unavailable, count);

    public static async Task<MutualTlsTokenServer> StartAsync()
    {
        var serverCertificate = TestCertificates.CreateServer();
        var clientCertificate = TestCertificates.CreateClient(ClientId);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var tokenEndpoint = new LoopbackEndpoint
        {
            Https = new HttpsConnectionAdapterOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                // Pinned: self-signed, so no chain to build; any other certificate fails the handshake.
                ClientCertificateValidation = (certificate, _, _) => certificate.Thumbprint == clientCertificate.Thumbprint,
            },
        };
        LoopbackKestrel.Listen(builder, tokenEndpoint, new LoopbackEndpoint { Https = new HttpsConnectionAdapterOptions { ServerCertificate = serverCertificate } });
        var app = builder.Build();
        MutualTlsTokenServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        var host = await LoopbackKestrel.StartAsync(app);
        server = new MutualTlsTokenServer(host, serverCertificate, clientCertificate, host.BaseAddresses[0].Port, host.BaseAddresses[1].Port);
        return server;
    }

    /// <summary>A primary handler that trusts this server's certificate only and presents <paramref name="clientCertificate"/>, if any.</summary>
    public SocketsHttpHandler CreateHandler(X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHashString() == ServerCertificate.Thumbprint;
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return handler;
    }

    private Task HandleAsync(HttpContext context) => context.Connection.LocalPort == TokenEndpoint.Port
        ? HandleTokenRequestAsync(context)
        : HandleApiRequestAsync(context);

    private async Task HandleTokenRequestAsync(HttpContext context)
    {
        var certificate = await context.Connection.GetClientCertificateAsync();
        if (certificate?.Thumbprint != ClientCertificate.Thumbprint)
        {
            await RejectAsync(context, 401, "invalid_client", "no or the wrong client certificate");
            return;
        }

        var proof = await ReadProofAsync(context, "POST", TokenEndpoint, accessToken: null);
        if (proof is null)
        {
            return;
        }

        TokenRequestJtis.Enqueue(proof.Value.Jti);
        if (Interlocked.Decrement(ref _unavailable) >= 0)
        {
            context.Response.StatusCode = 503;
            return;
        }

        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId ||
            form.ContainsKey("client_secret") || form.ContainsKey("client_assertion") || context.Request.Headers.Authorization.Count != 0)
        {
            await RejectAsync(context, 401, "invalid_client", "tls_client_auth: client_id only, no secret or assertion");
            return;
        }

        var token = "mtls-at-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _issued[token] = proof.Value.Jkt;
        await context.Response.WriteAsJsonAsync(new { access_token = token, token_type = "DPoP", expires_in = 300 });
    }

    private async Task HandleApiRequestAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("DPoP ", StringComparison.Ordinal) ? authorization[5..] : null;
        if (token is null || !_issued.TryGetValue(token, out var jkt))
        {
            await RejectAsync(context, 401, "invalid_token", "no token issued by the token endpoint");
            return;
        }

        var target = new Uri(ApiBaseAddress, context.Request.Path.Value);
        if (await ReadProofAsync(context, context.Request.Method, target, token) is not { } proof)
        {
            return;
        }

        if (proof.Jkt != jkt)
        {
            await RejectAsync(context, 401, "invalid_token", "proof key differs from the token's cnf.jkt");
            return;
        }

        Interlocked.Increment(ref _apiCallsAccepted);
        await context.Response.WriteAsJsonAsync(new { ok = true, jkt });
    }

    /// <summary>RFC 9449 §4.3, checked with Microsoft.IdentityModel: one proof, signed by its jwk, for this method and URI, never replayed.</summary>
    private async Task<(string Jti, string Jkt)?> ReadProofAsync(HttpContext context, string method, Uri target, string? accessToken)
    {
        var proofs = context.Request.Headers["DPoP"];
        if (proofs.Count != 1 || await IndependentProofCheck.CheckAsync(proofs[0]!) is { Failure: not null })
        {
            await RejectAsync(context, 400, "invalid_dpop_proof", $"proof missing or invalid ({proofs.Count})");
            return null;
        }

        var parts = proofs[0]!.Split('.');
        using var header = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[0]));
        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[1]));
        var claims = payload.RootElement;
        var jti = claims.GetProperty("jti").GetString()!;
        var expectedAth = accessToken is null ? null : Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(accessToken)));
        var ath = claims.TryGetProperty("ath", out var athClaim) ? athClaim.GetString() : null;
        if (claims.GetProperty("htm").GetString() != method || claims.GetProperty("htu").GetString() != target.GetLeftPart(UriPartial.Path) ||
            ath != expectedAth || !_seenJtis.TryAdd(jti, 0))
        {
            await RejectAsync(context, 400, "invalid_dpop_proof", "htm, htu, ath or a replayed jti");
            return null;
        }

        var jwk = new JsonWebKey(header.RootElement.GetProperty("jwk").GetRawText());
        return (jti, Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()));
    }

    private Task RejectAsync(HttpContext context, int status, string error, string why)
    {
        Rejections.Enqueue($"{context.Request.Path}: {why}");
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        ServerCertificate.Dispose();
        ClientCertificate.Dispose();
    }
}
