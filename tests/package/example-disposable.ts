// Type-checked, never run, with the esnext.disposable lib (tsconfig.disposable.json): a client
// is Disposable, for `using`. example.ts checks everything else with lib ES2022 + DOM only.
import { CamsClient } from 'cams-qrdl';

{
  using scoped = new CamsClient({ credentials: { accessKeyId: 'id', accessKeySecret: 'secret' } });
  void scoped;
}
const disposable: Disposable = new CamsClient({ credentials: { accessKeyId: 'id', accessKeySecret: 'secret' } });
void disposable;

export {};
