using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace DPoP.Http.DemoServer;

/// <summary>
/// <c>GET|POST /connect/authorize</c> and <c>POST /connect/authorize/signin</c>: the authorization code flow's
/// front channel (RFC 6749 §4.1, OpenID Connect Core §3.1). A valid request, direct or pushed (RFC 9126), shows a
/// one-click sign-in page (or, with <see cref="DemoServerOptions.SignInAutomatically"/>, signs in at once); the
/// sign-in issues a single-use code, bound to the PKCE challenge and to <c>dpop_jkt</c> when given, and sends it
/// to the redirect URI by query or form post, with <c>state</c> and <c>iss</c> (RFC 9207).
/// </summary>
internal sealed class AuthorizeEndpoint
{
    private readonly DemoServerSettings _settings;
    private readonly DemoServerEventLog _log;
    private readonly AuthorizationState _state;

    public AuthorizeEndpoint(DemoServerSettings settings, DemoServerEventLog log, AuthorizationState state)
    {
        _settings = settings;
        _log = log;
        _state = state;
    }

    public async Task HandleAsync(HttpContext context)
    {
        _log.Statistics.AddAuthorizationRequest();
        var endpoint = string.Concat(context.Request.Method, " ", context.Request.Path.ToString());
        IEnumerable<KeyValuePair<string, StringValues>> parameters = context.Request.Query;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            var body = await FormReader.TryReadAsync(context.Request).ConfigureAwait(false);
            if (body is null)
            {
                await ShowErrorAsync(context, endpoint, "invalid_request", "a POST to the authorization endpoint must be a well-formed form").ConfigureAwait(false);
                return;
            }

            parameters = body;
        }

        var values = parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        string requestId;
        AuthorizationRequest request;
        if (values.TryGetValue("request_uri", out var requestUri))
        {
            // RFC 9126 §4: only the pushed parameters count; client_id must be repeated and match.
            var id = requestUri.Count == 1 && requestUri[0] is { } uri && uri.StartsWith(AuthorizationState.RequestUriPrefix, StringComparison.Ordinal)
                ? uri[AuthorizationState.RequestUriPrefix.Length..]
                : null;
            var pushed = id is null ? null : _state.FindPending(id);
            if (pushed is null)
            {
                await ShowErrorAsync(context, endpoint, "invalid_request_uri", "request_uri unknown, expired or already used").ConfigureAwait(false);
                return;
            }

            if (!values.TryGetValue("client_id", out var clientId) || clientId.Count != 1 || clientId[0] != pushed.ClientId)
            {
                await ShowErrorAsync(context, endpoint, "invalid_request", "client_id missing or not the client that pushed the request").ConfigureAwait(false);
                return;
            }

            requestId = id!;
            request = pushed;
        }
        else
        {
            var parsed = AuthorizationRequestParser.Parse(values, _settings, out var error);
            if (parsed is null)
            {
                await RefuseAsync(context, endpoint, error!).ConfigureAwait(false);
                return;
            }

            if (_settings.RequirePushedAuthorizationRequests)
            {
                await RefuseAsync(context, endpoint, new AuthorizationRequestError("invalid_request", "pushed authorization requests are required (RFC 9126 §5)", parsed.RedirectUri, parsed.ResponseMode, parsed.State)).ConfigureAwait(false);
                return;
            }

            request = parsed;
            requestId = _state.AddPending(parsed);
        }

        if (_settings.SignInAutomatically)
        {
            var user = _settings.Users.FirstOrDefault(u => u.Subject == request.LoginHint) ?? _settings.Users[0];
            await CompleteAsync(context, endpoint, requestId, user).ConfigureAwait(false);
            return;
        }

        await HtmlPages.WriteSignInAsync(context.Response, request.ClientId, requestId, _settings.Users).ConfigureAwait(false);
    }

    /// <summary><c>POST /connect/authorize/signin</c>: the sign-in page's button.</summary>
    public async Task HandleSignInAsync(HttpContext context)
    {
        var endpoint = string.Concat(context.Request.Method, " ", context.Request.Path.ToString());
        var form = await FormReader.TryReadAsync(context.Request).ConfigureAwait(false);
        if (form is null)
        {
            await ShowErrorAsync(context, endpoint, "invalid_request", "the sign-in must be a well-formed form").ConfigureAwait(false);
            return;
        }

        var user = _settings.Users.FirstOrDefault(u => u.Subject == form["user"].ToString());
        if (user is null)
        {
            await ShowErrorAsync(context, endpoint, "invalid_request", "unknown user").ConfigureAwait(false);
            return;
        }

        await CompleteAsync(context, endpoint, form["request_id"].ToString(), user).ConfigureAwait(false);
    }

    /// <summary>Signs <paramref name="user"/> in for the pending request: issues a code and sends it back.</summary>
    private async Task CompleteAsync(HttpContext context, string endpoint, string requestId, DemoUser user)
    {
        var request = requestId.Length == 0 ? null : _state.TakePending(requestId);
        if (request is null)
        {
            await ShowErrorAsync(context, endpoint, "invalid_request", "sign-in request unknown, expired or already completed").ConfigureAwait(false);
            return;
        }

        var now = _settings.TimeProvider.GetUtcNow();
        var code = _state.AddCode(new IssuedCode(request, user, now, AuthorizationState.NewHandle(), now + _settings.AuthorizationCodeLifetime));
        _log.Statistics.AddCodeIssued();
        _log.Step(DemoServerEventKinds.CodeIssued, endpoint, request.ResponseMode == "query" ? StatusCodes.Status302Found : StatusCodes.Status200OK,
            $"code issued to {request.ClientId} for {user.Subject}{(request.DPoPJkt is null ? string.Empty : ", bound to dpop_jkt")}");

        var parameters = new List<KeyValuePair<string, string>> { new("code", code) };
        await RespondAsync(context, request.RedirectUri, request.ResponseMode, request.State, parameters).ConfigureAwait(false);
    }

    private async Task RefuseAsync(HttpContext context, string endpoint, AuthorizationRequestError error)
    {
        if (error.RedirectUri is null)
        {
            await ShowErrorAsync(context, endpoint, error.Error, error.Description).ConfigureAwait(false);
            return;
        }

        _log.Rejected(endpoint, error.ResponseMode == "query" ? StatusCodes.Status302Found : StatusCodes.Status200OK, error.Description, null);
        var parameters = new List<KeyValuePair<string, string>> { new("error", error.Error), new("error_description", error.Description) };
        await RespondAsync(context, error.RedirectUri, error.ResponseMode, error.State, parameters).ConfigureAwait(false);
    }

    private Task ShowErrorAsync(HttpContext context, string endpoint, string error, string description)
    {
        _log.Rejected(endpoint, StatusCodes.Status400BadRequest, description, null);
        return HtmlPages.WriteErrorAsync(context.Response, StatusCodes.Status400BadRequest, error, description);
    }

    /// <summary>Sends the response parameters, with <c>state</c> and <c>iss</c>, to the redirect URI.</summary>
    private static Task RespondAsync(HttpContext context, string redirectUri, string responseMode, string? state, List<KeyValuePair<string, string>> parameters)
    {
        if (state is not null)
        {
            parameters.Add(new("state", state));
        }

        // RFC 9207: the issuer in the response defends against mix-up attacks.
        parameters.Add(new("iss", DemoServer.IssuerFor(context)));
        if (responseMode == "form_post")
        {
            return HtmlPages.WriteFormPostAsync(context.Response, redirectUri, parameters);
        }

        var location = QueryHelpers.AddQueryString(redirectUri, parameters.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }
}
