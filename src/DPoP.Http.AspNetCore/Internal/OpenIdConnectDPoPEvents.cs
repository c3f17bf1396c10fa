using DPoP.Http.Internal;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// What DPoP adds to the OpenID Connect handler's sign-in, through its documented events only: <c>dpop_jkt</c> on
/// the authorization request and in PAR (RFC 9449 §10), the code redeemed through a DPoP token client (proof, nonce
/// retry, <c>token_type</c> check; PKCE's <c>code_verifier</c> passed on), and the session stored once the ID token
/// has been validated.
/// </summary>
internal sealed class OpenIdConnectDPoPEvents(SessionKeys keys, SchemeEndpoints endpoints, UserSessions sessions, ILoggerFactory loggerFactory, DPoPWebMetrics metrics)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(DPoPTelemetryNames.WebLogCategory);

    private static string PendingJkt(string scheme) => $"DPoP.Http.AspNetCore.PendingJkt.{scheme}";

    private static string PendingSession(string scheme) => $"DPoP.Http.AspNetCore.PendingSession.{scheme}";

    public async Task RedirectToIdentityProviderAsync(RedirectContext context)
    {
        var scheme = context.Scheme.Name;

        // Signing in again without signing out: the browser's previous session ends here, before the provider is
        // asked for a new grant. At the callback it would be too late at providers that revoke the whole grant with
        // a refresh token (oidc-provider does), when the new sign-in continues the same grant.
        await sessions.EndPreviousAsync(context.HttpContext, scheme).ConfigureAwait(false);
        var key = await keys.CreateForSignInAsync(scheme, context.HttpContext.RequestAborted).ConfigureAwait(false);
        var perSession = keys.IsPerSession(scheme);
        try
        {
            keys.AddToChallenge(scheme, context.Properties, key);
            context.ProtocolMessage.SetParameter(DPoPAuthorizationRequests.DPoPJktParameter, key.JwkThumbprint);
            context.HttpContext.Items[PendingJkt(scheme)] = key.JwkThumbprint;
            DPoPWebLog.DPoPJktAdded(_logger, scheme, perSession);
        }
        finally
        {
            if (perSession)
            {
                key.Dispose(); // exported into the protected state; the app-wide key belongs to its provider
            }
        }
    }

    public Task PushAuthorizationAsync(PushedAuthorizationContext context)
    {
        // RFC 9449 §10.1: the pushed request binds the code too. The handler pushes the parameters the redirect
        // event set, dpop_jkt included; make sure of it.
        var scheme = context.Scheme.Name;
        if (context.HttpContext.Items[PendingJkt(scheme)] is string jkt)
        {
            context.ProtocolMessage.SetParameter(DPoPAuthorizationRequests.DPoPJktParameter, jkt);
            DPoPWebLog.DPoPJktPushed(_logger, scheme);
        }

        return Task.CompletedTask;
    }

    public async Task AuthorizationCodeReceivedAsync(AuthorizationCodeReceivedContext context)
    {
        var scheme = context.Scheme.Name;
        var request = context.TokenEndpointRequest
            ?? throw new InvalidOperationException($"OpenID Connect scheme '{scheme}': the handler prepared no token endpoint request.");
        var (key, privateJwk) = await keys.TakeFromCallbackAsync(scheme, context.Properties!, context.HttpContext.RequestAborted).ConfigureAwait(false);
        var issuedAt = endpoints.TimeProvider(scheme).GetUtcNow();
        DPoPTokenResponse response;
        try
        {
            var client = await endpoints.CreateTokenClientAsync(scheme, key, context.HttpContext.RequestAborted).ConfigureAwait(false);
            response = await client.ExchangeAuthorizationCodeAsync(
                request.Code,
                new Uri(request.RedirectUri),
                request.GetParameter("code_verifier"),
                context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (DPoPTokenException ex)
        {
            DPoPWebMetrics.Record(metrics.CodeExchanges, scheme, ex);
            DPoPWebLog.CodeRedemptionFailed(_logger, scheme, DPoPWebMetrics.ErrorType(ex));
            context.Fail(ex);
            return;
        }
        finally
        {
            if (privateJwk is not null)
            {
                key.Dispose();
            }
        }

        DPoPWebMetrics.Record(metrics.CodeExchanges, scheme);
        DPoPWebLog.CodeRedeemed(_logger, scheme, response.TokenType, response.RefreshToken is not null);
        context.HttpContext.Items[PendingSession(scheme)] = new UserSession(
            response.AccessToken, response.TokenType, response.ExpiresAt, issuedAt, response.RefreshToken, response.Scope, privateJwk);

        // The handler validates the ID token (and at_hash) as usual. The refresh token is not handed over: it lives
        // in the session store, where a rotation can replace it, never in the cookie.
        var message = new OpenIdConnectMessage { AccessToken = response.AccessToken, IdToken = response.IdToken, TokenType = response.TokenType };
        if (response.ExpiresIn is { } expiresIn)
        {
            message.ExpiresIn = ((long)expiresIn.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.HandleCodeRedemption(message);
    }

    public async Task TokenValidatedAsync(TokenValidatedContext context)
    {
        var scheme = context.Scheme.Name;
        if (context.HttpContext.Items.Remove(PendingSession(scheme), out var pending) && pending is UserSession session)
        {
            await sessions.StartAsync(scheme, context.Properties!, context.Principal, session, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
