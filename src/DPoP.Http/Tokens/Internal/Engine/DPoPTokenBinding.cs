using System.Net.Http.Headers;

namespace DPoP.Http.Internal;

/// <summary>How a token source hands a token to the DPoP handler.</summary>
internal static class DPoPTokenBinding
{
    /// <summary>
    /// A DPoP-bound token is returned for the handler to bind (<c>Authorization: DPoP</c> and <c>ath</c>); an allowed
    /// Bearer token is set on the request as <c>Authorization: Bearer</c> and null returned, so the proof carries no <c>ath</c>.
    /// </summary>
    public static string? Use(DPoPTokenResponse response, HttpRequestMessage request)
    {
        if (response.IsDPoPBound)
        {
            return response.AccessToken;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", response.AccessToken);
        return null;
    }
}
