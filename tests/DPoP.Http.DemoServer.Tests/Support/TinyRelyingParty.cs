using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.DemoServer.Tests.Support;

/// <summary>
/// A web app of a few lines on 127.0.0.1 that signs its visitor in at a <see cref="DemoServer"/> with the code flow,
/// as the demo server's registered web client: <c>GET /login?mode=query|form_post</c> redirects to the authorize
/// endpoint (PKCE, state, nonce, dpop_jkt); <c>/signin-oidc</c> (GET or POST) checks state and iss, exchanges the
/// code with a DPoP proof (answering the nonce challenge) and shows <c>&lt;p id="result"&gt;</c> with the user and
/// the token type. For browser tests; the flow's checks are the demo server's, not this page's.
/// </summary>
internal sealed class TinyRelyingParty : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DemoServer _server;
    private readonly DPoPKey _key = DPoPKey.Generate();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
    private readonly ConcurrentDictionary<string, (string Verifier, string Nonce)> _pending = new(StringComparer.Ordinal);

    private TinyRelyingParty(DemoServer server, WebApplication app)
    {
        _server = server;
        _app = app;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<TinyRelyingParty> StartAsync(DemoServer server)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore();
        LoopbackKestrel.Listen(builder);
        var app = builder.Build();
        var relyingParty = new TinyRelyingParty(server, app);
        app.MapGet("/login", relyingParty.Login);
        app.MapMethods("/signin-oidc", [HttpMethods.Get, HttpMethods.Post], relyingParty.CallbackAsync);
        await app.StartAsync();
        relyingParty.BaseAddress = LoopbackKestrel.BaseAddressesOf(app)[0];
        return relyingParty;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
        _key.Dispose();
    }

    private Uri RedirectUri => new(BaseAddress, "signin-oidc");

    private IResult Login(HttpContext context)
    {
        var (verifier, challenge) = CodeFlowClient.Pkce();
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var nonce = Base64Url(RandomNumberGenerator.GetBytes(16));
        _pending[state] = (verifier, nonce);
        var location = QueryHelpers.AddQueryString(_server.AuthorizationEndpoint.AbsoluteUri, new Dictionary<string, string?>
        {
            ["client_id"] = DemoServerOptions.DefaultWebClientId,
            ["redirect_uri"] = RedirectUri.AbsoluteUri,
            ["response_type"] = "code",
            ["response_mode"] = context.Request.Query["mode"].ToString() is { Length: > 0 } mode ? mode : "query",
            ["scope"] = "openid profile offline_access",
            ["state"] = state,
            ["nonce"] = nonce,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["dpop_jkt"] = _key.JwkThumbprint,
        });
        return Results.Redirect(location);
    }

    private async Task CallbackAsync(HttpContext context)
    {
        IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> parameters = HttpMethods.IsPost(context.Request.Method)
            ? await context.Request.ReadFormAsync()
            : context.Request.Query;
        var values = parameters.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        if (!values.TryGetValue("state", out var state) || !_pending.TryRemove(state, out var pending) ||
            values.GetValueOrDefault("iss") != _server.Issuer || !values.TryGetValue("code", out var code))
        {
            await WriteAsync(context, "error", "state, iss or code missing or wrong");
            return;
        }

        using var response = await ExchangeAsync(code, pending.Verifier);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            await WriteAsync(context, "error", body.ToString());
            return;
        }

        var idToken = Jwt.Payload(body.GetProperty("id_token").GetString()!);
        var nonceMatches = idToken.GetProperty("nonce").GetString() == pending.Nonce;
        await WriteAsync(context, "result",
            $"signed in as {idToken.GetProperty("sub").GetString()}; token_type {body.GetProperty("token_type").GetString()}; nonce {(nonceMatches ? "matches" : "differs")}; via {context.Request.Method}");
    }

    /// <summary>The code exchange with a DPoP proof; once more with the nonce the first answer demands (RFC 9449 §8).</summary>
    private async Task<HttpResponseMessage> ExchangeAsync(string code, string verifier)
    {
        string? nonce = null;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _server.TokenEndpoint)
            {
                Content = new FormUrlEncodedContent(
                [
                    new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", RedirectUri.AbsoluteUri), new("code_verifier", verifier),
                ]),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", DemoServerClient.Basic(DemoServerOptions.DefaultWebClientId, DemoServerOptions.DefaultWebClientSecret));
            request.Headers.Add("DPoP", DPoPProof.Create(_key, HttpMethod.Post, _server.TokenEndpoint, null, nonce));
            var response = await _http.SendAsync(request);
            if (attempt == 0 && response.StatusCode == HttpStatusCode.BadRequest && DemoServerClient.NonceOf(response) is { } fresh)
            {
                response.Dispose();
                nonce = fresh;
                continue;
            }

            return response;
        }
    }

    private static Task WriteAsync(HttpContext context, string id, string text)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync($"<!DOCTYPE html><html><head><title>Relying party</title></head><body><p id=\"{id}\">{HtmlEncoder.Default.Encode(text)}</p></body></html>", Encoding.UTF8);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
