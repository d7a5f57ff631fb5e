import { groupName } from '../components/ui';

/* The view model: the fields this page shows. */
export interface PublishedKeys {
  tally: { group: number; publicKey: string; fingerprint: string; }[];
  venues: { group: number; venue: string; publicKey: string; fingerprint: string; state: string; }[];
  surveys: { survey: string; title: string; publicKey: string; fingerprint: string; }[];
  bundles: { name: string; sha256: string; }[];
}

/**
 * The published key list, and (with ?venue=) a venue's poster: the fingerprints a delegate compares
 * with what the tablet shows before voting.
 */
export function KeysPage({ campaignName, list, poster }: { campaignName: string; list: PublishedKeys & { listFingerprint: string }; poster?: string | undefined }) {
  const venues = poster ? list.venues.filter((v) => v.venue === poster) : list.venues;
  const groups = new Set(venues.map((v) => v.group));
  const tally = poster ? list.tally.filter((t) => groups.has(t.group)) : list.tally;
  return (
    <section class={poster ? 'poster' : undefined}>
      <h1>{poster ? `${poster}会场 · 投票密钥指纹` : `${campaignName} · 公布的密钥`}</h1>
      <p>
        投票设备在投票前显示会场签名密钥和计票公钥的指纹。请核对:设备上的指纹必须与本页{poster ? '' : '和会场张贴的海报'}一致;不一致时不要投票,立即告诉监督员。
        设备只接受本清单上的密钥。
      </p>
      <p>
        清单指纹:<strong class="fingerprint">{list.listFingerprint}</strong>
      </p>
      <h2>计票公钥(每组一把,私钥由计票监督人分持)</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">分组</th>
              <th scope="col">指纹</th>
            </tr>
          </thead>
          <tbody>
            {tally.map((t) => (
              <tr>
                <td>{groupName(t.group)}</td>
                <td class="fingerprint">{t.fingerprint}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>会场签名密钥(开启投票时生成)</h2>
      {venues.length === 0 ? (
        <p>尚无会场开启投票。</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">会场</th>
                <th scope="col">分组</th>
                <th scope="col">指纹</th>
              </tr>
            </thead>
            <tbody>
              {venues.map((v) => (
                <tr>
                  <td>{v.venue}</td>
                  <td>{groupName(v.group)}</td>
                  <td class="fingerprint">{v.fingerprint}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!poster && list.surveys.length > 0 && (
        <>
          <h2>问卷加密公钥(答卷在作答设备上加密)</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">问卷</th>
                  <th scope="col">指纹</th>
                </tr>
              </thead>
              <tbody>
                {list.surveys.map((q) => (
                  <tr>
                    <td>{q.title}</td>
                    <td class="fingerprint">{q.fingerprint}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h2>投票设备程序与选票检查页面的哈希(SHA-256)</h2>
      {!poster && (
        <p>
          用公开的源代码执行 npm run build:client 得到的文件应与这里的哈希一致。check.html 是选票检查页面 <a href="/check">/check</a>,ceremony.html 是计票密钥仪式页面 <a href="/ceremony">/ceremony</a>:保存到本机的副本也应与它们的哈希一致。custodian.js 是保管人在浏览器中生成席位公钥和开封计票的程序。
        </p>
      )}
      <ul>
        {list.bundles.map((b) => (
          <li>
            {b.name}: <code class="break-all">{b.sha256}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}
