import math, json
import numpy as np
from statsmodels.tsa.seasonal import STL
vals=[]
for t in range(36):
    y=1000+2*t+200*math.sin(2*math.pi*t/12)+5*math.sin(2.7*t)
    vals.append(round(y,2))
months=["%d-%02d"%(2023+t//12,t%12+1) for t in range(36)]
with open("data.csv","w") as f:
    f.write("month,visits\n")
    for m,v in zip(months,vals): f.write("%s,%s\n"%(m,v))
p=30;q=27
res=STL(np.array(vals[:p+1]),period=12,seasonal=7,robust=True).fit()
s=res.seasonal
tv=s[p]-s[q]; ch=vals[p]-vals[q]
print(tv,ch,tv/ch)
exp={"$tolerance":1e-6,"model":"seasonal","results":[{"kind":"diagnose","metric":"visits","at":"2025-07","base":"2025-04","change":ch,
  "factors":[{"factor":"component","value":None},{"factor":"temporal","value":tv,"seasonal_at":s[p],"seasonal_base":s[q],"remainder":ch-tv},
  {"factor":"influence"},{"factor":"dimension"},{"factor":"event"}]}]}
json.dump(exp,open("expected.json","w"),indent=1)
