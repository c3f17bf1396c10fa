using Microsoft.AspNetCore.Http;

namespace DPoP.Http.DemoServer;

/// <summary>
/// <c>POST /connect/revoke</c>: token revocation (RFC 7009). The client authenticates as at the token endpoint;
/// revoking a refresh token revokes its whole grant: every rotation of it and the access tokens issued with them
/// (§2.1). An access token is revoked alone. Unknown tokens and other clients' tokens are answered with 200 and left
/// alone (§2.2), so the answer never tells whether a token exists.
/// </summary>
internal sealed class RevocationEndpoint
{
    private readonly DemoServerEventLog _log;
    private readonly ClientAuthenticator _clients;
    private readonly AuthorizationState _state;
    private readonly AccessTokenService _tokens;

    public RevocationEndpoint(DemoServerSettings settings, DemoServerEventLog log, AuthorizationState state, AccessTokenService tokens)
    {
        _tokens = tokens;
        _log = log;
        _clients = new ClientAuthenticator(settings.ClientSecrets);
        _state = state;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var endpoint = string.Concat(request.Method, " ", request.Path.ToString());
        var (form, client, rejection) = await _clients.ReadFormAsync(context).ConfigureAwait(false);
        if (form is null)
        {
            await RejectAsync(context, endpoint, rejection, client.Error, client.Detail).ConfigureAwait(false);
            return;
        }

        var tokens = form["token"];
        if (tokens.Count != 1 || string.IsNullOrEmpty(tokens[0]))
        {
            await RejectAsync(context, endpoint, StatusCodes.Status400BadRequest, "invalid_request", "token missing or repeated").ConfigureAwait(false);
            return;
        }

        var refreshToken = _state.FindRefreshToken(tokens[0]!);
        if (refreshToken is not null && refreshToken.ClientId == client.ClientId)
        {
            _state.RevokeGrant(refreshToken.GrantId);
            _log.Statistics.AddRevocation();
            _log.Step(DemoServerEventKinds.TokenRevoked, endpoint, StatusCodes.Status200OK, $"refresh token of {refreshToken.User.Subject} revoked by {client.ClientId}");
        }
        else if (refreshToken is null && tokens[0]!.Contains('.', StringComparison.Ordinal))
        {
            var (accessToken, _) = await _tokens.ValidateAsync(tokens[0]!, DemoServer.IssuerFor(context)).ConfigureAwait(false);
            if (accessToken is not null && accessToken.ClientId == client.ClientId)
            {
                _state.RevokeAccessToken(accessToken.Jti, accessToken.ExpiresAt);
                _log.Statistics.AddRevocation();
                _log.Step(DemoServerEventKinds.TokenRevoked, endpoint, StatusCodes.Status200OK, $"access token of {accessToken.Subject} revoked by {client.ClientId}");
            }
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentLength = 0;
    }

    private Task RejectAsync(HttpContext context, string endpoint, int statusCode, string error, string description)
    {
        _log.Rejected(endpoint, statusCode, description, null);
        return OAuthResponses.WriteErrorAsync(context.Response, statusCode, error, description);
    }
}
