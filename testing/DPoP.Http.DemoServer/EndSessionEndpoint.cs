using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace DPoP.Http.DemoServer;

/// <summary>
/// <c>GET|POST /connect/endsession</c>: OpenID Connect RP-Initiated Logout 1.0. With a
/// <c>post_logout_redirect_uri</c> registered for the client (named by <c>client_id</c> or by the audience of the
/// <c>id_token_hint</c>), the user is sent back there with <c>state</c>; without one, a "signed out" page is shown.
/// The server keeps no sign-in session of its own (every sign-in asks again), so signing out only records the event;
/// refresh tokens are ended by revocation.
/// </summary>
internal sealed class EndSessionEndpoint
{
    private readonly DemoServerSettings _settings;
    private readonly DemoServerEventLog _log;
    private readonly IdTokenService _idTokens;

    public EndSessionEndpoint(DemoServerSettings settings, DemoServerEventLog log, IdTokenService idTokens)
    {
        _settings = settings;
        _log = log;
        _idTokens = idTokens;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var endpoint = string.Concat(context.Request.Method, " ", context.Request.Path.ToString());
        IEnumerable<KeyValuePair<string, StringValues>> parameters = context.Request.Query;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            var form = await FormReader.TryReadAsync(context.Request).ConfigureAwait(false);
            if (form is null)
            {
                await ShowErrorAsync(context, endpoint, "a POST to the end-session endpoint must be a well-formed form").ConfigureAwait(false);
                return;
            }

            parameters = form;
        }

        var values = parameters.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        string? Get(string name) => values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

        var clientId = Get("client_id");
        var subject = "an unknown user";
        if (Get("id_token_hint") is { } hint)
        {
            var read = await _idTokens.ReadHintAsync(hint, DemoServer.IssuerFor(context)).ConfigureAwait(false);
            if (read is null || (clientId is not null && clientId != read.Value.ClientId))
            {
                await ShowErrorAsync(context, endpoint, "id_token_hint is not an ID token of this server for this client").ConfigureAwait(false);
                return;
            }

            clientId = read.Value.ClientId;
            subject = read.Value.Subject;
        }

        var redirectUri = Get("post_logout_redirect_uri");
        if (redirectUri is not null &&
            (clientId is null || !_settings.WebClients.TryGetValue(clientId, out var client) || !client.IsPostLogoutRedirectUri(redirectUri)))
        {
            await ShowErrorAsync(context, endpoint, "post_logout_redirect_uri is not registered for the client (or no client_id or id_token_hint names one)").ConfigureAwait(false);
            return;
        }

        _log.Statistics.AddEndSession();
        _log.Step(DemoServerEventKinds.SignedOut, endpoint, redirectUri is null ? StatusCodes.Status200OK : StatusCodes.Status302Found,
            $"{subject} signed out{(clientId is null ? string.Empty : $" of {clientId}")}");
        if (redirectUri is null)
        {
            await HtmlPages.WriteAsync(context.Response, StatusCodes.Status200OK, "Signed out", "<h1 id=\"signed-out\">You are signed out.</h1>").ConfigureAwait(false);
            return;
        }

        var location = Get("state") is { } state ? QueryHelpers.AddQueryString(redirectUri, "state", state) : redirectUri;
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Location = location;
    }

    private Task ShowErrorAsync(HttpContext context, string endpoint, string description)
    {
        _log.Rejected(endpoint, StatusCodes.Status400BadRequest, description, null);
        return HtmlPages.WriteErrorAsync(context.Response, StatusCodes.Status400BadRequest, "invalid_request", description);
    }
}
