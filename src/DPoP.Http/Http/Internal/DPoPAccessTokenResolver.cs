namespace DPoP.Http.Internal;

/// <summary>
/// Finds the access token a request is bound to (request option, <c>Authorization: DPoP</c> header, the client's
/// <see cref="IDPoPAccessTokenProvider"/>) and renews a provider's token the server rejected.
/// </summary>
internal static class DPoPAccessTokenResolver
{
    /// <summary>The bound token and whether it came from the client's <see cref="IDPoPAccessTokenProvider"/>.</summary>
    public static async ValueTask<(string? Token, bool FromProvider)> ResolveAsync(
        DPoPHandlerContext context, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.GetDPoPAccessToken() is { } fromOption)
        {
            return (RequireValid(context, fromOption, "the request option set by SetDPoPAccessToken"), false);
        }

        var authorization = request.Headers.Authorization;
        if (authorization is not null)
        {
            // Another scheme (Bearer, Basic) is the caller's business: left alone, and no token is bound.
            return string.Equals(authorization.Scheme, DPoPHeaders.AuthorizationScheme, StringComparison.OrdinalIgnoreCase)
                ? (RequireValid(context, authorization.Parameter, "the request's Authorization: DPoP header"), false)
                : (null, false);
        }

        var provider = context.AccessTokenProvider;
        if (provider is null)
        {
            return (null, false);
        }

        var pending = provider.GetAccessTokenAsync(request, cancellationToken);
        var token = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);

        // A provider that returns null may have set another scheme (Bearer) itself: the request then goes without a bound token.
        return token is null ? (null, false) : (RequireValid(context, token, provider), true);
    }

    /// <summary>Asks the provider to drop a rejected token and hands out a different one, or null when it cannot.</summary>
    public static async ValueTask<string?> RenewAsync(
        DPoPHandlerContext context, HttpRequestMessage request, string rejected, CancellationToken cancellationToken)
    {
        var provider = context.AccessTokenProvider!;
        if (!await provider.OnAccessTokenRejectedAsync(rejected, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var renewed = await provider.GetAccessTokenAsync(request, cancellationToken).ConfigureAwait(false);
        return renewed is null || string.Equals(renewed, rejected, StringComparison.Ordinal)
            ? null
            : RequireValid(context, renewed, provider);
    }

    /// <param name="context">The client, for the message.</param>
    /// <param name="token">The token to check.</param>
    /// <param name="source">A description of where it came from, or the provider (described only when the token is bad).</param>
    private static string RequireValid(DPoPHandlerContext context, string? token, object source)
    {
        if (token is null || !DPoPSyntax.IsAccessToken(token))
        {
            var from = source is IDPoPAccessTokenProvider provider ? $"the IDPoPAccessTokenProvider ({provider.GetType().Name})" : source;
            throw new InvalidOperationException(
                $"DPoP client '{context.ClientName}': the access token from {from} is empty or not visible ASCII (%x21-7E).");
        }

        return token;
    }
}
