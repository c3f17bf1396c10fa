using System.Security.Claims;
using DPoP.Http.Internal;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// <see cref="IDPoPUserAccessTokens"/>: the session found from the principal (<see cref="UserSessions.GetUserSessionAsync"/>),
/// its tokens through the same token engine as the HttpClients (<see cref="UserSessionTokens"/>), ended as a sign-out ends it.
/// </summary>
internal sealed class UserAccessTokens(UserSessions sessions, ILoggerFactory loggerFactory) : IDPoPUserAccessTokens
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(DPoPTelemetryNames.WebLogCategory);

    public Task<DPoPUserAccessToken> GetAccessTokenAsync(ClaimsPrincipal user, string openIdConnectScheme = "OpenIdConnect", DPoPUserAccessTokenOptions? options = null, CancellationToken cancellationToken = default) =>
        WithSessionAsync(user, openIdConnectScheme, async request => (await sessions.GetAccessTokenAsync(request, TokenTarget.From(options), cancellationToken).ConfigureAwait(false)).Token, cancellationToken);

    public Task<DPoPUserAccessToken> RenewAccessTokenAsync(ClaimsPrincipal user, string openIdConnectScheme = "OpenIdConnect", DPoPUserAccessTokenOptions? options = null, CancellationToken cancellationToken = default) =>
        WithSessionAsync(user, openIdConnectScheme, request => sessions.RenewAsync(request, TokenTarget.From(options), cancellationToken), cancellationToken);

    public async Task EndSessionAsync(ClaimsPrincipal user, string openIdConnectScheme = "OpenIdConnect", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrEmpty(openIdConnectScheme);
        var sessionId = await sessions.FindSessionIdAsync(user, openIdConnectScheme).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        DPoPWebLog.SessionEndRequested(_logger, openIdConnectScheme);
        await sessions.EndAsync(openIdConnectScheme, sessionId).ConfigureAwait(false);
    }

    private async Task<DPoPUserAccessToken> WithSessionAsync(ClaimsPrincipal user, string scheme, Func<RequestSession, Task<DPoPTokenResponse>> tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrEmpty(scheme, "openIdConnectScheme");
        var request = await sessions.GetUserSessionAsync(user, scheme, cancellationToken).ConfigureAwait(false);
        try
        {
            var token = await tokens(request).ConfigureAwait(false);
            return new DPoPUserAccessToken(new DPoPClientAccessToken(token.AccessToken, token.TokenType, token.ExpiresAt, token.Scope, request.Key), request.OwnsKey);
        }
        catch
        {
            if (request.OwnsKey)
            {
                request.Key.Dispose();
            }

            throw;
        }
    }
}
