using QRCoder;

namespace IdentityHost.IdentityServer.Mfa;

/// <summary>
/// QR codes drawn on the server, as SVG, so the enrolment page needs no script. Note: served from the page's own address
/// (an <c>img</c> of <c>?handler=qr</c>), since the CSP of pages without script allows images from <c>'self'</c> only.
/// </summary>
public static class QrCodes
{
    /// <summary><paramref name="text"/> as a QR code, an SVG document.</summary>
    public static byte[] Svg(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var svg = new SvgQRCode(data);
        return System.Text.Encoding.UTF8.GetBytes(svg.GetGraphic(6));
    }
}
