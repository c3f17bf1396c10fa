namespace DPoP.Http;

/// <summary>
/// Binds authorization codes to a DPoP key with the <c>dpop_jkt</c> parameter (RFC 9449 §10): in the authorization
/// request, and in a pushed authorization request (RFC 9126, RFC 9449 §10.1).
/// </summary>
public static class DPoPAuthorizationRequests
{
    /// <summary>The parameter name, <c>dpop_jkt</c>.</summary>
    public const string DPoPJktParameter = "dpop_jkt";

    /// <summary>Adds <c>dpop_jkt</c> (the key's RFC 7638 thumbprint) to an authorization request URI, keeping its other parameters.</summary>
    /// <param name="authorizationRequestUri">The authorization endpoint URI with the request's parameters.</param>
    /// <param name="key">The DPoP key the code, and the tokens, are to be bound to.</param>
    /// <returns>The URI with <c>dpop_jkt</c> added (replacing one already there).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="authorizationRequestUri"/> is not absolute.</exception>
    public static Uri AddDPoPJkt(Uri authorizationRequestUri, DPoPKey key)
    {
        ArgumentNullException.ThrowIfNull(authorizationRequestUri);
        ArgumentNullException.ThrowIfNull(key);
        if (!authorizationRequestUri.IsAbsoluteUri)
        {
            throw new ArgumentException("The authorization request URI must be absolute.", nameof(authorizationRequestUri));
        }

        var builder = new UriBuilder(authorizationRequestUri);
        var kept = builder.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.StartsWith(DPoPJktParameter + "=", StringComparison.Ordinal) && p != DPoPJktParameter);
        builder.Query = string.Join('&', kept.Append($"{DPoPJktParameter}={Uri.EscapeDataString(key.JwkThumbprint)}"));
        return builder.Uri;
    }

    /// <summary>
    /// The form parameters of a pushed authorization request with <c>dpop_jkt</c> added. (Sending the PAR request
    /// through a DPoP-enabled HttpClient also binds it, with the proof itself; RFC 9449 §10.1 allows both.)
    /// </summary>
    /// <param name="parameters">The other PAR parameters (client_id, response_type, redirect_uri, …).</param>
    /// <param name="key">The DPoP key the code is to be bound to.</param>
    /// <returns>Form content for the PAR endpoint.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static FormUrlEncodedContent CreatePushedAuthorizationContent(IEnumerable<KeyValuePair<string, string>> parameters, DPoPKey key)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(key);
        return new FormUrlEncodedContent(parameters
            .Where(p => p.Key != DPoPJktParameter)
            .Append(new KeyValuePair<string, string>(DPoPJktParameter, key.JwkThumbprint)));
    }
}
