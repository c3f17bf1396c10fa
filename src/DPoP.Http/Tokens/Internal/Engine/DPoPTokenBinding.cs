using System.Net.Http.Headers;

namespace DPoP.Http.Internal;

/// <summary>How a token source hands a token to the DPoP handler.</summary>
internal static class DPoPTokenBinding
{
    /// <summary>
    /// A DPoP-bound token is returned for the handler to bind (<c>Authorization: DPoP</c> and <c>ath</c>); an allowed
    /// Bearer token is set on the request as <c>Authorization: Bearer</c> and null returned, so the proof carries no <c>ath</c>.
    /// </summary>
    public static string? Use(DPoPTokenResponse response, HttpRequestMessage request) =>
        Use(response.AccessToken, response.IsDPoPBound, request);

    /// <summary>The same for a token kept elsewhere (a signed-in user's session): one binding rule for every token source.</summary>
    public static string? Use(string accessToken, bool isDPoPBound, HttpRequestMessage request)
    {
        if (isDPoPBound)
        {
            return accessToken;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return null;
    }
}
